# The student image: JupyterLab with the course installed and the assignments built.
#   docker build -t course-kit .                             (add --build-arg PREFETCH_DATA=true to bake the datasets in)
#   docker run -p 8888:8888 course-kit
# A dated tag on purpose, never `latest`: the image stays reproducible, and this
# 2024 tag still ships Python 3.11 (docker-stacks moved to 3.12 in October 2024),
# which pyproject.toml requires.
FROM quay.io/jupyter/base-notebook:2024-04-29

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Where `course data fetch` keeps the datasets: outside $HOME, so a volume mounted
# on /home/jovyan does not hide the ones baked in at build time.
ENV COURSE_CACHE_DIR=/opt/course-data \
    TF_ENABLE_ONEDNN_OPTS=0 \
    TF_CPP_MIN_LOG_LEVEL=2

# Debian packages from admin/apt-packages.txt: fonts to render notMNIST, the real
# Fashion-MNIST images, and bubblewrap, the autograder's sandbox.
USER root
RUN apt-get update --yes && \
    apt-get install --yes --no-install-recommends \
        fonts-liberation \
        fonts-liberation2 \
        fonts-freefont-ttf \
        fonts-urw-base35 \
        fonts-croscore \
        fonts-crosextra-carlito \
        fonts-crosextra-caladea \
        fonts-texgyre \
        fonts-open-sans \
        fonts-go \
        fonts-comic-neue \
        fonts-linuxlibertine \
        fonts-ebgaramond \
        fonts-cantarell \
        fonts-roboto-unhinted \
        dataset-fashion-mnist \
        bubblewrap && \
    apt-get clean && rm -rf /var/lib/apt/lists/* && \
    mkdir -p "${COURSE_CACHE_DIR}" && \
    chown "${NB_UID}:${NB_GID}" "${COURSE_CACHE_DIR}"

COPY --chown="${NB_UID}:${NB_GID}" . /opt/course

# The versions come from pyproject.toml: no second list of pins here.
# Then nbgrader's student version of every assignment, built once, here.
USER ${NB_UID}
RUN pip install --no-cache-dir -e /opt/course && \
    course student-build /home/jovyan/assignments && \
    fix-permissions "${CONDA_DIR}" && \
    fix-permissions "/home/${NB_USER}"

# Optional: download the datasets now, so the container needs no network.
# A failed download only leaves that dataset to be fetched at run time.
ARG PREFETCH_DATA=false
RUN if [ "${PREFETCH_DATA}" = "true" ]; then course data fetch --all || true; fi && \
    fix-permissions "${COURSE_CACHE_DIR}" && \
    chmod -R a+rX "${COURSE_CACHE_DIR}"

WORKDIR /home/jovyan/assignments
CMD ["start-notebook.py", "--ServerApp.root_dir=/home/jovyan/assignments"]
