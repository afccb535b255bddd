// Package notebook reads, runs and writes Jupyter notebooks (nbformat 4) without Jupyter
// or Python: a Runner executes the code cells through a lang.Session and records their
// outputs as a front end saves them; Write saves atomically; WriteHTML renders a page.
//
// It knows the session only through kernel/lang, as the kernel does: the command wires
// in package interp.
package notebook

// Notebook is an nbformat 4 notebook. Fields this package does not interpret (the
// notebook's and cells' metadata, unknown top-level keys) are kept as read.
type Notebook struct {
	Format, FormatMinor int // nbformat and nbformat_minor
	Metadata            map[string]any
	Cells               []*Cell
	extra               map[string]any // other top-level keys
}

// Cell types.
const (
	Code     = "code"
	Markdown = "markdown"
	Raw      = "raw"
)

// Cell is one cell of a notebook.
type Cell struct {
	ID       string
	Type     string // Code, Markdown or Raw
	Source   string
	Metadata map[string]any
	// Attachments are a markdown or raw cell's attached files (nil for none).
	Attachments map[string]any
	// ExecutionCount is a code cell's In [n]; 0 for none (null).
	ExecutionCount int
	Outputs        []*Output // code cells only
}

// Output types, as nbformat names them.
const (
	Stream        = "stream"
	DisplayData   = "display_data"
	ExecuteResult = "execute_result"
	ErrorOutput   = "error"
)

// Output is one output of a code cell.
type Output struct {
	Type string // Stream, DisplayData, ExecuteResult or ErrorOutput

	Name, Text string // a stream's name ("stdout" or "stderr") and text

	Data           map[string]any // display_data and execute_result: the MIME bundle
	Metadata       map[string]any
	ExecutionCount int // execute_result

	EName, EValue string // error
	Traceback     []string

	// displayID is the display_id a later update replaces. Jupyter does not save it (it
	// is transient), so it is known only for outputs made in this process.
	displayID string
}
