// Command check decodes the Kubernetes manifests of deploy/z2jh strictly into the
// Kubernetes API's own Go types (k8s.io/api): a misspelt field, a field in the wrong
// place or a value of the wrong type is an error, as the API server's strict field
// validation would make it. It checks what a schema can, not what a cluster does (it
// admits no object and runs no Job). Run from this directory: go run .
//
// It is a module of its own, so that the project's module does not depend on k8s.io.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	manifests := []struct {
		file string
		into any
	}{
		{"grade-job.yaml", &batchv1.Job{}},
		{"handin.yaml", &corev1.PersistentVolumeClaim{}},
	}
	failed := false
	for _, m := range manifests {
		data, err := os.ReadFile(filepath.Join("..", m.file))
		if err == nil {
			err = yaml.UnmarshalStrict(data, m.into)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", m.file, err)
			failed = true
			continue
		}
		fmt.Printf("%s: a valid %T\n", m.file, m.into)
	}
	if failed {
		os.Exit(1)
	}
}
