"""nbgrader preprocessors of our own: outputs of bounded size, feedback without hidden tests."""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


class CapOutputSize(NbGraderPreprocessor):
    """Bound what a notebook's outputs may weigh (nbgrader's LimitOutput counts lines only).

    A cell that prints 100 MB on one line, or draws a 50 MB image, would
    otherwise make the autograded notebook and its feedback page that big
    (nbgrader#874).
    """

    max_chars = Integer(20_000, help="characters kept per text output").tag(config=True)
    max_image_bytes = Integer(2_000_000, help="largest image kept (base64 bytes)").tag(config=True)
    max_outputs = Integer(50, help="outputs kept per cell").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        outputs = cell.get("outputs", [])
        if len(outputs) > self.max_outputs:
            outputs = outputs[: self.max_outputs]
            outputs.append({"output_type": "stream", "name": "stdout",
                            "text": f"... {len(cell.outputs) - self.max_outputs} more outputs removed ...\n"})
        for output in outputs:
            if output.get("output_type") == "stream":
                output["text"] = self._cut(output.get("text", ""))
            for key in list(output.get("data", {})):
                value = output["data"][key]
                if key.startswith("image/") and len(value) > self.max_image_bytes:
                    del output["data"][key]
                    output["data"]["text/plain"] = f"[image removed: {len(value):,} bytes is too large]"
                elif key in TEXT_TYPES and isinstance(value, str):
                    output["data"][key] = self._cut(value)
            if output.get("output_type") == "error":
                output["evalue"] = self._cut(output.get("evalue", ""))
                output["traceback"] = [self._cut(line) for line in output.get("traceback", [])]
        cell.outputs = outputs
        return cell, resources

    def _cut(self, text) -> str:
        if isinstance(text, list):
            text = "".join(text)
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... output truncated: {len(text) - self.max_chars:,} more characters ...\n"


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback shows results and hint messages, never the code of hidden tests (nbgrader#917).

    Removes the hidden-test blocks from every cell; replaces a traceback that
    quotes a hidden-test line by its last line (the error and its message,
    which is the hint the instructor wrote); and blanks out any hidden-test
    line that shows up in an output anyway (student code can print the source
    of the cell that calls it).
    """

    begin = Unicode("### BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("### END HIDDEN TESTS").tag(config=True)
    placeholder = Unicode("[hidden test]").tag(config=True)

    def preprocess(self, notebook, resources):
        self._hidden = set()
        for cell in notebook.cells:
            self._hidden |= self._hidden_lines(cell.source)
        return super().preprocess(notebook, resources)

    def preprocess_cell(self, cell, resources, index):
        if self._hidden_lines(cell.source):
            cell.source = self._without_hidden(cell.source)
        if not self._hidden:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                text = ANSI.sub("", "\n".join(output.get("traceback", [])))
                if any(line in text for line in self._hidden):
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}",
                                           "(this check is one of the hidden tests: its code is not shown)"]
                output["evalue"] = self._scrub(output.get("evalue", ""))
            if "text" in output:
                output["text"] = self._scrub(output["text"])
            for key, value in output.get("data", {}).items():
                if isinstance(value, str):
                    output["data"][key] = self._scrub(value)
        return cell, resources

    def _scrub(self, text) -> str:
        if isinstance(text, list):
            text = "".join(text)
        for line in sorted(self._hidden, key=len, reverse=True):
            text = text.replace(line, self.placeholder)
        return text

    def _hidden_lines(self, source: str) -> set[str]:
        lines, inside = set(), False
        for line in source.splitlines():
            if self.begin in line:
                inside = True
            elif self.end in line:
                inside = False
            elif inside and line.strip():
                lines.add(line.strip())
        return lines

    def _without_hidden(self, source: str) -> str:
        kept, inside = [], False
        for line in source.splitlines():
            if self.begin in line:
                inside = True
            elif self.end in line:
                inside = False
            elif not inside:
                kept.append(line)
        return "\n".join(kept).rstrip()
