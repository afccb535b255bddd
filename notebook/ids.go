package notebook

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
)

// validID is nbformat 4.5's rule for cell ids.
var validID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// ensureIDs gives every cell a valid, unique id, as nbformat 4.5 requires: cells of a
// 4.4 notebook have none. Ids that are already valid and unique are kept.
func ensureIDs(nb *Notebook) {
	seen := map[string]bool{}
	for _, c := range nb.Cells {
		if validID.MatchString(c.ID) && !seen[c.ID] {
			seen[c.ID] = true
			continue
		}
		for {
			c.ID = newID()
			if !seen[c.ID] {
				break
			}
		}
		seen[c.ID] = true
	}
	if nb.FormatMinor < 5 {
		nb.FormatMinor = 5
	}
}

// newID is a random id of 8 hex digits, as Jupyter makes them.
func newID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
