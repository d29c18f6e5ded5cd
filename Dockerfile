# The student image: JupyterLab on the student version of the assignments, and nothing a
# student must not see: no source notebook, no solution, no hidden test.
#   docker build -t course-kit .          (or podman; --build-arg PREFETCH_DATA=true bakes the datasets in)
#   docker run -p 8888:8888 course-kit    (then open the URL it prints)
# Keep your work across containers with a volume on the work folder:
#   docker run -p 8888:8888 -v course-kit-work:/home/jovyan/work course-kit
#
# Debian 12's own Python (3.11, security-maintained by Debian until 2028) in a virtual environment,
# with jupyter/docker-stacks' conventions: user jovyan (uid 1000, group users), /home/jovyan/work,
# port 8888, tini as PID 1. Five stages on one base:
#   system        the base, Debian's packages, the user and an empty virtual environment;
#   requirements  the dependency pins, read from pyproject.toml (the one list of versions);
#   wheel         the course's packages (course_lib, problem_unittests) as a wheel: no notebook goes in;
#   runtime       system plus the dependencies, then that wheel (its metadata: the same pins);
#   build         runtime plus the source notebooks: builds and checks the student versions;
#   (final)       runtime plus the student versions only. The source notebooks never reach it
#                 (tests/test_container.py scans the running container; tests/test_docker_image.py
#                 reasons from this file).
# The dependencies get a layer of their own, before the course's code: a change to course_lib
# reinstalls the course (seconds), not TensorFlow.
#
# Debian's stable-release tag, not a dated one: it stays on Debian 12 and Python 3.11 for the release's
# whole life and each rebuild takes Debian's security updates (the dated 2024 docker-stacks tag got
# none); the versions that matter to the course are pinned in pyproject.toml.
FROM debian:bookworm-slim AS system

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# docker-stacks' user, folders and variables (JupyterHub's spawners expect them). Where `course data
# fetch` keeps the datasets: outside $HOME, so a volume mounted on /home/jovyan does not hide the ones
# baked in at build time. TensorFlow as the course runs it (course_lib/tensorflow_env.py): log level 2
# hides its start-up notices and leaves oneDNN on (1.6-2.1x faster training than
# TF_ENABLE_ONEDNN_OPTS=0); its own memory pool (BFC) instead of a page fault per 4 kB of every new
# tensor (benchmarks/tensorflow_allocator.py).
ENV NB_USER=jovyan \
    NB_UID=1000 \
    NB_GID=100 \
    VENV_DIR=/opt/venv \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    COURSE_CACHE_DIR=/opt/course-data \
    TF_CPP_MIN_LOG_LEVEL=2 \
    TF_CPU_ALLOCATOR_USE_BFC=true
ENV PATH="${VENV_DIR}/bin:${PATH}" \
    HOME="/home/${NB_USER}"

# Python and its venv module, tini, the CA certificates (downloads), and the Debian packages of
# admin/apt-packages.txt: fonts to render notMNIST, the real Fashion-MNIST images, and bubblewrap,
# the autograder's sandbox. No compiler: every Python package comes as a wheel.
RUN apt-get update --yes && \
    apt-get install --yes --no-install-recommends \
        ca-certificates \
        python3 \
        python3-venv \
        tini \
        fonts-3270 \
        fonts-adf-accanthis \
        fonts-adf-baskervald \
        fonts-adf-berenis \
        fonts-adf-gillius \
        fonts-adf-ikarius \
        fonts-adf-irianis \
        fonts-adf-libris \
        fonts-adf-mekanus \
        fonts-adf-oldania \
        fonts-adf-romande \
        fonts-adf-solothurn \
        fonts-adf-switzera \
        fonts-adf-tribun \
        fonts-adf-universalis \
        fonts-adf-verana \
        fonts-aenigma \
        fonts-agave \
        fonts-allerta \
        fonts-anonymous-pro \
        fonts-apropal \
        fonts-arapey \
        fonts-averia-gwf \
        fonts-averia-sans-gwf \
        fonts-averia-serif-gwf \
        fonts-b612 \
        fonts-bajaderka \
        fonts-bebas-neue \
        fonts-beteckna \
        fonts-blankenburg \
        fonts-breip \
        fonts-bwht \
        fonts-cabin \
        fonts-cabinsketch \
        fonts-campania \
        fonts-cantarell \
        fonts-cardo \
        fonts-cegui \
        fonts-century-catalogue \
        fonts-cherrybomb \
        fonts-clear-sans \
        fonts-cmu \
        fonts-comfortaa \
        fonts-comic-neue \
        fonts-compagnon \
        fonts-courier-prime \
        fonts-creep2 \
        fonts-croscore \
        fonts-crosextra-caladea \
        fonts-crosextra-carlito \
        fonts-dancingscript \
        fonts-dkg-handwriting \
        fonts-dosis \
        fonts-dseg \
        fonts-dustin \
        fonts-ebgaramond \
        fonts-ecolier-court \
        fonts-ecolier-lignes-court \
        fonts-elstob \
        fonts-engadget \
        fonts-essays1743 \
        fonts-eurofurence \
        fonts-f500 \
        fonts-fantasma \
        fonts-fantasque-sans \
        fonts-fanwood \
        fonts-femkeklaver \
        fonts-ferrite-core \
        fonts-firacode \
        fonts-freefont-ttf \
        fonts-gamaliel \
        fonts-georgewilliams \
        fonts-gfs-artemisia \
        fonts-gfs-baskerville \
        fonts-gfs-bodoni-classic \
        fonts-gfs-didot \
        fonts-gfs-neohellenic \
        fonts-gfs-olga \
        fonts-gfs-porson \
        fonts-gfs-solomos \
        fonts-gnutypewriter \
        fonts-go \
        fonts-gotico-antiqua \
        fonts-goudybookletter \
        fonts-hack \
        fonts-hermit \
        fonts-humor-sans \
        fonts-inconsolata \
        fonts-inter \
        fonts-isabella \
        fonts-jetbrains-mono \
        fonts-joscelyn \
        fonts-junction \
        fonts-junicode \
        fonts-jura \
        fonts-karla \
        fonts-karmilla \
        fonts-kaushanscript \
        fonts-klaudia-berenika \
        fonts-kristi \
        fonts-lato \
        fonts-le-murmure \
        fonts-league-mono \
        fonts-league-spartan \
        fonts-leckerli-one \
        fonts-lemonada \
        fonts-levien-museum \
        fonts-levien-typoscript \
        fonts-liberation \
        fonts-liberation2 \
        fonts-lindenhill \
        fonts-linex \
        fonts-linuxlibertine \
        fonts-lmodern \
        fonts-lobster \
        fonts-lobstertwo \
        fonts-manrope \
        fonts-millimetre \
        fonts-monofur \
        fonts-monoid \
        fonts-mononoki \
        fonts-mph-2b-damase \
        fonts-national-park \
        fonts-ocr-a \
        fonts-ocr-b \
        fonts-oflb-euterpe \
        fonts-okolaks \
        fonts-oldstandard \
        fonts-open-sans \
        fonts-opendin \
        fonts-opendyslexic \
        fonts-osifont \
        fonts-oxygen \
        fonts-paratype \
        fonts-play \
        fonts-povray \
        fonts-prociono \
        fonts-quattrocento \
        fonts-quicksand \
        fonts-radisnoir \
        fonts-rampart \
        fonts-reggae \
        fonts-roadgeek \
        fonts-roboto-slab \
        fonts-roboto-unhinted \
        fonts-rocknroll \
        fonts-routed-gothic \
        fonts-rufscript \
        fonts-sil-andika \
        fonts-sil-charis \
        fonts-sil-doulos \
        fonts-sil-gentiumplus \
        fonts-sjfonts \
        fonts-solide-mirage \
        fonts-sora \
        fonts-staypuft \
        fonts-stix \
        fonts-summersby \
        fonts-texgyre \
        fonts-thai-tlwg-ttf \
        fonts-tiresias \
        fonts-tomsontalks \
        fonts-train \
        fonts-tuffy \
        fonts-ubuntu-title \
        fonts-uralic \
        fonts-urw-base35 \
        fonts-vollkorn \
        fonts-wine \
        fonts-yanone-kaffeesatz \
        fonts-yrsa-rasa \
        dataset-fashion-mnist \
        bubblewrap \
    && \
    apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log && \
    useradd --no-log-init --create-home --shell /bin/bash --uid "${NB_UID}" --gid "${NB_GID}" "${NB_USER}" && \
    mkdir -p "${VENV_DIR}" "${COURSE_CACHE_DIR}" "/home/${NB_USER}/work" && \
    chown "${NB_UID}:${NB_GID}" "${VENV_DIR}" "${COURSE_CACHE_DIR}" "/home/${NB_USER}/work"

# The environment belongs to jovyan, as docker-stacks' conda does: `pip install` works in a notebook.
USER ${NB_UID}
RUN python3 -m venv "${VENV_DIR}"


FROM system AS requirements

# The dependencies exactly as pyproject.toml pins them (markers included), nothing else: this stage's
# output changes only when those lines do, so the layer that installs them stays cached otherwise.
COPY --chown="${NB_UID}:${NB_GID}" pyproject.toml /opt/course/
RUN python3 -c 'import sys, tomllib; print("\n".join(tomllib.load(sys.stdin.buffer)["project"]["dependencies"]))' \
        < /opt/course/pyproject.toml > /tmp/requirements.txt


FROM system AS wheel

# Only what the wheel is built from. pyproject.toml packages course_lib and problem_unittests, with
# course_lib/assets/custom.css, the course style: a link to admin/custom.css, which must be there too
# (without it the wheel has no style sheet, and setup_notebook() fails in the container); README.md is
# its long description and LICENSE its license file (license-files: setuptools fails without it).
COPY --chown="${NB_UID}:${NB_GID}" pyproject.toml README.md LICENSE /opt/course/
COPY --chown="${NB_UID}:${NB_GID}" admin/custom.css /opt/course/admin/custom.css
COPY --chown="${NB_UID}:${NB_GID}" course_lib /opt/course/course_lib
COPY --chown="${NB_UID}:${NB_GID}" problem_unittests /opt/course/problem_unittests
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels /opt/course


FROM system AS runtime

# The dependencies. pip's downloads go to a cache mount (`RUN --mount=type=cache`, BuildKit's and podman's):
# the builder keeps it for the next build that must reinstall them (a changed pin), and it is never part of
# a layer. Installed without pip's byte-compiling, one file after the other; compileall then does it on
# every core (the same .pyc files: JupyterLab and TensorFlow start without compiling anything).
# Removed before the layer is made: nbgrader's own test suite and documentation, which hold source
# notebooks with solution and hidden-test blocks (its examples, not this course's), nothing a student
# should find solutions in and not needed to run it; TensorFlow's C++ headers (287 MB), which only
# compiling an extension uses, and the image has no compiler.
COPY --from=requirements --chown="${NB_UID}:${NB_GID}" /tmp/requirements.txt /tmp/requirements.txt
# DL3042 asks for --no-cache-dir so that no cache ends in a layer: a cache mount never does (hadolint does not
# see mounts; tests/test_environment.py checks that pip's --cache-dir is this RUN's cache mount).
# hadolint ignore=DL3042
RUN --mount=type=cache,id=course-kit-pip,target=/tmp/pip-cache,uid=1000,gid=100 \
    pip install --cache-dir /tmp/pip-cache --no-compile --requirement /tmp/requirements.txt && \
    site="${VENV_DIR}/lib/python3.11/site-packages" && \
    rm -rf /tmp/requirements.txt "${site}/nbgrader/tests" "${site}/nbgrader/docs" "${site}/tensorflow/include" && \
    python3 -m compileall -q -j 0 "${site}" > /dev/null

# The course itself, from its wheel; its metadata names the same pins, which are all installed now: no
# resolving (--no-deps), and pip check fails the build if the two ever disagree.
COPY --from=wheel --chown="${NB_UID}:${NB_GID}" /tmp/wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl && \
    pip check && \
    rm -rf /tmp/wheels


FROM runtime AS build

# The source notebooks, here only: `course lab --no-start` builds nbgrader's student version of
# every assignment (the same code as `course lab` on a laptop), checks that none leaks a solution
# or a hidden test, and fails the build if one cannot be built.
ENV COURSE_ROOT=/opt/course
COPY --chown="${NB_UID}:${NB_GID}" admin /opt/course/admin
COPY --chown="${NB_UID}:${NB_GID}" notebooks /opt/course/notebooks
RUN course lab --no-start --workdir /tmp/student-versions


FROM runtime

# Again: an OCI image (podman's default format) does not carry SHELL into the stages built on it.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

COPY --from=build --chown="${NB_UID}:${NB_GID}" /tmp/student-versions /opt/student-versions

# Optional: download the datasets now, so the container needs no network: PREFETCH_DATA=true for every
# dataset (notMNIST and SVHN are generated: about 20 minutes on 2 cores), or the names of some, separated
# by commas (PREFETCH_DATA=mnist,cifar10). COURSE_DATA_MIRROR (an instructor's copy, tried before the
# official hosts) is used for this download only. A failed download only leaves that dataset to be fetched
# at run time.
ARG PREFETCH_DATA=false
ARG COURSE_DATA_MIRROR=
RUN case "${PREFETCH_DATA}" in \
        false | "") ;; \
        true) course data fetch --all || true ;; \
        *) echo "${PREFETCH_DATA}" | tr ',' '\n' | xargs course data fetch || true ;; \
    esac && \
    chmod -R a+rX "${COURSE_CACHE_DIR}"

# At each start, `course lab` (as on a laptop) copies the assignments the work folder does not
# have yet from /opt/student-versions, leaves the ones there alone (a student's edits on a
# volume survive), configures nbgrader (COURSE_EXCHANGE names the exchange), and starts JupyterLab,
# printing its URL with the token. tini (PID 1) passes `docker stop`'s SIGTERM on to it, and it shuts
# JupyterLab and its kernels down; -g sends signals to the whole process group, as docker-stacks does.
USER ${NB_UID}
WORKDIR /home/jovyan/work
EXPOSE 8888
ENTRYPOINT ["tini", "-g", "--"]
CMD ["course", "lab", "--from", "/opt/student-versions", "--workdir", "/home/jovyan/work", \
     "--ip", "0.0.0.0", "--port", "8888", "--no-browser"]
