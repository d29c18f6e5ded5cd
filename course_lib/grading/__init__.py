"""Instructor side: the nbgrader course, student versions, grading and grades."""
