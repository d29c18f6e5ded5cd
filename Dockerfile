# The student image: JupyterLab on the student version of the assignments, and nothing a
# student must not see: no source notebook, no solution, no hidden test.
#   docker build -t course-kit .          (add --build-arg PREFETCH_DATA=true to bake the datasets in)
#   docker run -p 8888:8888 course-kit    (then open the URL it prints)
# Keep your work across containers with a volume on the work folder:
#   docker run -p 8888:8888 -v "$PWD/my-work:/home/jovyan/work" course-kit
#
# Four stages on one base image:
#   wheel    the course's packages (course_lib, problem_unittests) as a wheel: no notebook goes in;
#   runtime  the base, the Debian packages, and that wheel installed (versions from pyproject.toml);
#   build    runtime plus the source notebooks: builds and checks the student versions;
#   (final)  runtime plus the student versions only. The source notebooks never reach it
#            (tests/test_docker_image.py checks this from this file and .dockerignore).
# A dated tag on purpose, never `latest`: the image stays reproducible, and this
# 2024 tag still ships Python 3.11 (docker-stacks moved to 3.12 in October 2024),
# which pyproject.toml requires.
FROM quay.io/jupyter/base-notebook:2024-04-29 AS wheel

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Only what the wheel is built from. pyproject.toml packages course_lib and problem_unittests
# (with course_lib/assets/custom.css, the course style, a copy of admin/custom.css).
COPY --chown="${NB_UID}:${NB_GID}" pyproject.toml README.md LICENSE /opt/course/
COPY --chown="${NB_UID}:${NB_GID}" course_lib /opt/course/course_lib
COPY --chown="${NB_UID}:${NB_GID}" problem_unittests /opt/course/problem_unittests
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/wheels /opt/course


FROM quay.io/jupyter/base-notebook:2024-04-29 AS runtime

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Where `course data fetch` keeps the datasets: outside $HOME, so a volume mounted
# on /home/jovyan does not hide the ones baked in at build time. TensorFlow as the course runs
# it (course_lib/tensorflow_env.py): log level 2 hides its start-up notices and leaves oneDNN on
# (1.6-2.1x faster training than TF_ENABLE_ONEDNN_OPTS=0); its own memory pool (BFC) instead of
# a page fault per 4 kB of every new tensor (benchmarks/tensorflow_allocator.py).
ENV COURSE_CACHE_DIR=/opt/course-data \
    TF_CPP_MIN_LOG_LEVEL=2 \
    TF_CPU_ALLOCATOR_USE_BFC=true

# Debian packages from admin/apt-packages.txt: fonts to render notMNIST, the real
# Fashion-MNIST images, and bubblewrap, the autograder's sandbox.
USER root
RUN apt-get update --yes && \
    apt-get install --yes --no-install-recommends \
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
        bubblewrap && \
    apt-get clean && rm -rf /var/lib/apt/lists/* && \
    mkdir -p "${COURSE_CACHE_DIR}" && \
    chown "${NB_UID}:${NB_GID}" "${COURSE_CACHE_DIR}"

# The versions come from pyproject.toml (inside the wheel): no second list of pins here.
COPY --from=wheel --chown="${NB_UID}:${NB_GID}" /tmp/wheels /tmp/wheels
USER ${NB_UID}
RUN pip install --no-cache-dir /tmp/wheels/*.whl && \
    rm -rf /tmp/wheels && \
    fix-permissions "${CONDA_DIR}" && \
    fix-permissions "/home/${NB_USER}"


FROM runtime AS build

# The source notebooks, here only: `course lab --no-start` builds nbgrader's student version of
# every assignment (the same code as `course lab` on a laptop), checks that none leaks a solution
# or a hidden test, and fails the build if one cannot be built.
ENV COURSE_ROOT=/opt/course
COPY --chown="${NB_UID}:${NB_GID}" admin /opt/course/admin
COPY --chown="${NB_UID}:${NB_GID}" notebooks /opt/course/notebooks
RUN course lab --no-start --workdir /tmp/student-versions


FROM runtime

COPY --from=build --chown="${NB_UID}:${NB_GID}" /tmp/student-versions /opt/student-versions

# Optional: download the datasets now, so the container needs no network.
# A failed download only leaves that dataset to be fetched at run time.
ARG PREFETCH_DATA=false
RUN if [ "${PREFETCH_DATA}" = "true" ]; then course data fetch --all || true; fi && \
    fix-permissions "${COURSE_CACHE_DIR}" && \
    chmod -R a+rX "${COURSE_CACHE_DIR}"

# At each start, `course lab` (as on a laptop) copies the assignments the work folder does not
# have yet from /opt/student-versions, leaves the ones there alone (a student's edits on a
# volume survive), configures nbgrader (COURSE_EXCHANGE names the exchange), and starts JupyterLab.
USER ${NB_UID}
WORKDIR /home/jovyan/work
CMD ["course", "lab", "--from", "/opt/student-versions", "--workdir", "/home/jovyan/work", \
     "--ip", "0.0.0.0", "--port", "8888", "--no-browser"]
