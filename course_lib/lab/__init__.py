"""JupyterLab as ``course lab`` starts it: for a student, on a work folder without solutions.

- ``course_lib.lab.workfolder``: the student's work folder (the student version of each
  assignment, never overwriting one already there; nbgrader configured for the student);
- ``course_lib.lab.secrets``: finding solution code and hidden tests in files a student gets;
- ``course_lib.lab.server``: starting JupyterLab (token, port, nbgrader's student extensions),
  for ``course lab``, the Docker image and the browser tests alike.
"""

from course_lib.lab.secrets import secrets_in
from course_lib.lab.server import LabServer, running, serve
from course_lib.lab.workfolder import DEFAULT_WORKDIR, Prepared, prepare

__all__ = ["DEFAULT_WORKDIR", "LabServer", "Prepared", "prepare", "running", "secrets_in", "serve"]
