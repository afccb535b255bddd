"""Rich display through jupyter_client: every bundle carries text/plain and metadata {},
matrices come as an HTML table, LaTeX and text, a display handle updates its output in
place, and a plot arrives as SVG and PNG."""

import base64
import unittest

from support import KernelTestCase, outputs


class TestDisplay(KernelTestCase):
    def test_matrix_bundle(self):
        reply, msgs = self.run_cell("mat.NewDense(2, 2, []float64{4, -1, -1, 6})")
        self.assertEqual(reply["status"], "ok")
        [result] = outputs(msgs, "execute_result")
        data = result["data"]
        self.assertEqual(result["metadata"], {})
        self.assertIn("<table", data["text/html"])
        self.assertIn("2×2 mat.Dense</caption>", data["text/html"])
        self.assertNotIn("style=", data["text/html"])
        self.assertIn(r"\begin{bmatrix} 4 & -1 \\ -1 & 6 \end{bmatrix}", data["text/latex"])
        self.assertEqual(data["text/plain"], "⎡ 4  -1⎤\n⎣-1   6⎦")

    def test_a_derivative_says_how_it_was_computed(self):
        # A cell's function: exact, in forward mode; the same function asked numerically:
        # its digits; a function with no rule: numerical, and why.
        self.run_cell("func rosen(x []float64) float64 { a, b := 1-x[0], x[1]-x[0]*x[0]; return a*a + 100*b*b }")
        _, exact = self.run_cell("matcalc.Hessian(rosen, []float64{-1.2, 1})")
        _, numerical = self.run_cell("matcalc.Hessian(rosen, []float64{-1.2, 1}, matcalc.Numerically())")
        _, why = self.run_cell('import "gonum.org/v1/gonum/floats"\n'
                               "matcalc.Gradient(func(x []float64) float64 { return floats.Sum(x) }, []float64{1, 2})")
        [e], [n], [w] = (outputs(m, "execute_result") for m in (exact, numerical, why))
        self.assertEqual(e["data"]["text/plain"], "⎡1330  480⎤\n⎣ 480  200⎦\nHessian by matcalc: exact (forward mode)")
        self.assertIn("Hessian by matcalc: exact (forward mode)</caption>", e["data"]["text/html"])
        self.assertRegex(n["data"]["text/plain"], r"Hessian by matcalc: numerical, 1\d\.\d correct digits")
        self.assertIn("gradient by matcalc: numerical (the function literal calls floats.Sum with a value that depends on "
                      "its argument; floats.Sum has no derivative rule (line 2))", w["data"]["text/plain"])

    def test_a_matrix_held_by_value_shows_as_its_pointer(self):
        _, by_value = self.run_cell("A := mat.NewDense(2, 2, []float64{1, 2, 3, 4})\nvar P mat.Dense\nP.Mul(A, A)\nP")
        _, by_pointer = self.run_cell("&P")
        [value], [pointer] = outputs(by_value, "execute_result"), outputs(by_pointer, "execute_result")
        self.assertEqual(value["data"]["text/plain"], pointer["data"]["text/plain"])
        self.assertIn("<table", value["data"]["text/html"])
        self.assertNotIn("{{", value["data"]["text/plain"])

    def test_display_handle_updates_in_place(self):
        reply, msgs = self.run_cell('h := display.Show("first")\nh.Update("second")')
        self.assertEqual(reply["status"], "ok")
        [shown] = outputs(msgs, "display_data")
        [updated] = outputs(msgs, "update_display_data")
        display_id = shown["transient"]["display_id"]
        self.assertTrue(display_id)
        self.assertEqual(updated["transient"]["display_id"], display_id)
        self.assertEqual(shown["data"]["text/plain"], '"first"')
        self.assertEqual(updated["data"]["text/plain"], '"second"')
        self.assertEqual(updated["metadata"], {})
        # creating the handle as the last line shows nothing more
        self.assertEqual(outputs(msgs, "execute_result"), [])

    def test_progress_bar_ends_at_100_percent(self):
        reply, msgs = self.run_cell("bar := display.Progress(50)\nfor i := 0; i < 50; i++ { bar.Add(1) }")
        self.assertEqual(reply["status"], "ok")
        last = outputs(msgs, "update_display_data")[-1]
        self.assertIn("50/50 (100%)", last["data"]["text/plain"])
        self.assertIn("<progress", last["data"]["text/html"])

    def test_plot_as_svg(self):
        code = (
            'import (\n\t"gonum.org/v1/plot"\n\t"gonum.org/v1/plot/plotter"\n)\n'
            "p := plot.New()\n"
            "l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})\n"
            "p.Add(l)\np"
        )
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["status"], "ok")
        [result] = outputs(msgs, "execute_result")
        self.assertTrue(result["data"]["image/svg+xml"].lstrip().startswith("<?xml") or "<svg" in result["data"]["image/svg+xml"])
        self.assertIn("text/plain", result["data"])
        # and a PNG, which an untrusted notebook shows in place of the SVG
        self.assertTrue(base64.b64decode(result["data"]["image/png"]).startswith(b"\x89PNG\r\n\x1a\n"))


if __name__ == "__main__":
    unittest.main()
