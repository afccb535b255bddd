"""Step 3 of deploy/image/test: the grading Job's script (deploy/z2jh/grade-job.yaml, its
container's args and env) run inside the image, once for each of two indexes, as two of
the Job's pods would run it: the hand-in folders mounted read-only on /submissions, each
index's own results folder on /graded. Three hand-ins of the assignment template:

- ann: the template as stored, every answer filled in: every cell runs;
- bob: the student version, each answer region replaced by nbgrader's Go stub
  (ClearSolutions.code_stub, docs/cluster.md): the template's 4 check cells fail;
- cy:  not a notebook: the runner says so and the line says FAILED.

Usage: GOMATCALC_CONTAINER=<buildah working container> python3 test_grading.py
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTAINER = os.environ["GOMATCALC_CONTAINER"]
STUB = '// YOUR CODE HERE\npanic("no answer yet")'
SHARDS = 2


def student_version(nb):
    """What `nbgrader generate_assignment` makes of a Go solution cell with the stub."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        cell["source"] = re.sub(r"// BEGIN SOLUTION.*?// END SOLUTION[^\n]*", STUB, src, flags=re.S)
        cell["outputs"], cell["execution_count"] = [], None
    return nb


def main():
    with open(os.path.join(ROOT, "deploy", "z2jh", "grade-job.yaml")) as f:
        job = yaml.safe_load(f)
    container = job["spec"]["template"]["spec"]["containers"][0]
    script = container["args"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assignment = env["ASSIGNMENT"]

    work = tempfile.mkdtemp(prefix="gomatcalc-grading-test-")
    try:
        students = os.path.join(work, "students")
        with open(os.path.join(ROOT, "notebooks", "assignment-template.ipynb")) as f:
            template = f.read()
        handins = {
            "ann": template,
            "bob": json.dumps(student_version(json.loads(template))),
            "cy": "not a notebook\n",
        }
        for name, text in handins.items():
            os.makedirs(os.path.join(students, name))
            with open(os.path.join(students, name, f"{assignment}.ipynb"), "w") as f:
                f.write(text)
        lines = {}
        for index in range(SHARDS):
            graded = os.path.join(work, "graded", assignment, str(index))
            os.makedirs(graded)
            os.chown(graded, 1000, 100)
            env_args = [f"--env={k}={v}" for k, v in env.items() if k != "SHARDS"]
            out = subprocess.run(
                ["buildah", "run", "--isolation", "chroot",
                 "--volume", f"{students}:/submissions:ro", "--volume", f"{graded}:/graded",
                 *env_args, f"--env=SHARDS={SHARDS}", f"--env=JOB_COMPLETION_INDEX={index}",
                 CONTAINER, "--", *container["command"], script],
                capture_output=True, text=True,
            )
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                print(f"FAIL: the grading script exited {out.returncode} at index {index}")
                return 1
            for line in out.stdout.splitlines():
                name, _, verdict = line.partition(": ")
                lines[name] = (index, verdict)
                print(f"  index {index}: {line}")
        # Sorted ann, bob, cy: index 0 takes the 1st and 3rd, index 1 the 2nd.
        expect = {
            "ann": (0, lambda v: re.fullmatch(r"9 cells ran in \S+", v)),
            "bob": (1, lambda v: re.fullmatch(r"9 cells ran in \S+, 4 failed \(--allow-errors\)", v)),
            "cy": (0, lambda v: v.startswith("FAILED: ")),
        }
        ok = sorted(lines) == sorted(expect)
        for name, (index, good) in expect.items():
            got = lines.get(name)
            if not got or got[0] != index or not good(got[1]):
                print(f"FAIL: {name}: got {got}")
                ok = False
        for name in ("ann", "bob"):
            base = os.path.join(work, "graded", assignment, str(expect[name][0]), name)
            for ext in (".ipynb", ".html", ".log"):
                if not os.path.isfile(base + ext):
                    print(f"FAIL: no {name}{ext} in its index's results")
                    ok = False
        with open(os.path.join(work, "graded", assignment, "1", "bob.ipynb")) as f:
            errors = [o for c in json.load(f)["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
        if len(errors) != 4 or not all("no answer yet" in e["evalue"] for e in errors):
            print(f"FAIL: bob's graded notebook has {len(errors)} errors: {[e['evalue'] for e in errors]}")
            ok = False
        print("grading test: " + ("passed" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
