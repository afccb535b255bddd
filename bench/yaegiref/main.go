// Command yaegiref runs cells in plain yaegi v0.16.1 (interp with stdlib.Symbols, no
// notebook session around it): the reference of issue 15's interpreted-call figures in
// bench/run-speed, which sends gomatcalc the same cells. It reads a JSON array of cases
// on stdin, {"name", "setup", "timed", "runs"}, evaluates each case's setup once in a
// fresh interpreter and then its timed cell runs times, and prints a JSON object mapping
// each name to the values of the timed cell's last expression (a string the cell makes,
// such as its elapsed time measured with time.Now).
//
//	yaegiref < cases.json
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// Case is one benchmark: a setup cell and a timed cell.
type Case struct {
	Name  string `json:"name"`
	Setup string `json:"setup"`
	Timed string `json:"timed"`
	Runs  int    `json:"runs"`
}

func main() {
	var cases []Case
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fail(err)
	}
	out := map[string][]string{}
	for _, c := range cases {
		i := interp.New(interp.Options{})
		if err := i.Use(stdlib.Symbols); err != nil {
			fail(err)
		}
		if _, err := i.Eval(c.Setup); err != nil {
			fail(fmt.Errorf("%s: setup: %w", c.Name, err))
		}
		for range c.Runs {
			v, err := i.Eval(c.Timed)
			if err != nil {
				fail(fmt.Errorf("%s: %w", c.Name, err))
			}
			out[c.Name] = append(out[c.Name], fmt.Sprint(v.Interface()))
		}
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "yaegiref:", err)
	os.Exit(1)
}
