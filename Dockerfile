# lkfem in a container, installed with the same recipe as the test environments (env/packages.sh).
#   docker build -t lkfem .                          Debian trixie, dolfinx 0.9
#   docker build -t lkfem:sid --build-arg SUITE=sid .  Debian sid, dolfinx 0.11
#   docker run --rm -v "$PWD/results:/results" lkfem  the default case, results in ./results
#   docker run --rm -v "$PWD:/work" -w /work lkfem mpirun -n 4 lkfem run my_case.toml --out /work/out
ARG SUITE=trixie
FROM debian:${SUITE}
ARG SUITE

COPY env/packages.sh /tmp/packages.sh
RUN sh /tmp/packages.sh "${SUITE}" && rm /tmp/packages.sh

COPY . /opt/lkfem
RUN python3 -m pip install --no-deps --no-build-isolation --break-system-packages /opt/lkfem \
    && python3 -c "import lkfem.meshes"

ENV OMPI_ALLOW_RUN_AS_ROOT=1 \
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    OMPI_MCA_rmaps_base_oversubscribe=1 \
    PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe
VOLUME /results
WORKDIR /results
CMD ["mpirun", "-n", "2", "lkfem", "run", "/opt/lkfem/lkfem/cases/box_with_sphere.toml", \
     "--out", "/results/box_with_sphere"]
