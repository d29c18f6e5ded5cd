# nbgrader configuration for the course. `course` commands read this file and
# resolve the root relative to it; to run nbgrader itself, run it from admin/.
c = get_config()  # noqa: F821 (defined by traitlets when it reads this file)
c.CourseDirectory.course_id = "course-kit"
c.CourseDirectory.root = ".."
c.CourseDirectory.source_directory = "notebooks"
