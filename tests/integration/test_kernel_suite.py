"""jupyter_kernel_test's protocol conformance suite, with every sample filled in."""

import unittest

import jupyter_kernel_test


class GomatcalcKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gomatcalc"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'import "os"\nfmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [
        {"text": "mat.NewD", "matches": {"NewDense", "NewDiagDense", "NewDiagonalRect"}},
        {"text": "fmt.Sprin", "matches": {"Sprint", "Sprintf", "Sprintln"}},
        {"text": "math.Sqr", "matches": {"Sqrt", "Sqrt2", "SqrtE", "SqrtPhi", "SqrtPi"}},
    ]

    complete_code_samples = [
        "1+1",
        'fmt.Println("hi")',
        "x := 1",
        "func f() int { return 1 }",
        'import "strings"\nstrings.ToUpper("a")',
    ]
    incomplete_code_samples = [
        "func f() {",
        "x := []int{1,",
        "y := 1 +",
        "s := `raw",
    ]
    invalid_code_samples = [
        "x := 1)",
        "for for",
        "x := 1 2",
    ]

    code_page_something = "?fmt.Println"

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "1+1", "result": "2"},
        {"code": "x := 6\nx*7", "result": "42"},
        {"code": 'import "strconv"\nstrconv.Atoi("12")', "result": "12 <nil>"},
        {"code": "mat.NewDense(2, 2, []float64{1, 2, 3, 4})", "result": "⎡1  2⎤\n⎣3  4⎦"},
    ]

    code_display_data = [
        {"code": 'display.HTML("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.Markdown("*emphasis*")', "mime": "text/markdown"},
        {"code": "display.LaTeX(`f''(x)[dx', dx]`)", "mime": "text/latex"},
    ]

    code_history_pattern = "1+1"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "mat.NewDense"

    code_clear_output = 'fmt.Println("soon gone")\ndisplay.Clear()'


if __name__ == "__main__":
    unittest.main()
