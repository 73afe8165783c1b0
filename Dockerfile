# lkfem in a container, installed with the same recipe as the test environments (env/packages.sh).
#   docker build -t lkfem .                          Debian trixie, dolfinx 0.9
#   docker build -t lkfem:sid --build-arg SUITE=sid --build-arg PRTE_MAPPING=mapby .
#                                                    Debian sid, dolfinx 0.11 (Open MPI 6)
#   docker run --rm -v "$PWD/results:/results" lkfem  the flagship case (lkfem/cases/gk_cloak.toml),
#                                                    results in ./results/gk_cloak
#   docker run --rm -v "$PWD:/work" -w /work lkfem mpirun -n 4 lkfem run my_case.toml --out /work/out
ARG SUITE=trixie
FROM debian:${SUITE}
ARG SUITE

# Behind a TLS-intercepting proxy, pip needs the site's CA bundle: mount it into the build and
# name it with --build-arg PIP_CERT=/path (env/docker-ci does when the host sets PIP_CERT).
ARG PIP_CERT=
COPY env/packages.sh /tmp/packages.sh
RUN if [ -n "${PIP_CERT}" ]; then export PIP_CERT; else unset PIP_CERT; fi \
    && sh /tmp/packages.sh "${SUITE}" && rm /tmp/packages.sh

COPY . /opt/lkfem
RUN python3 -m pip install --no-deps --no-build-isolation --break-system-packages \
        --root-user-action=ignore /opt/lkfem \
    && python3 -c "import lkfem.meshes"

# Open MPI as root, more ranks than cores (the mapping policy is rmaps_default_mapping_policy in
# Open MPI 5, mapby in 6), and without the harmless warning of its TCP transport on one machine
# ("Unable to find reachable pairing between local and remote interfaces"): the ranks of a
# container talk through shared memory, TCP only over loopback.
ARG PRTE_MAPPING=rmaps_default_mapping_policy
ENV OMPI_ALLOW_RUN_AS_ROOT=1 \
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    OMPI_MCA_rmaps_base_oversubscribe=1 \
    PRTE_MCA_${PRTE_MAPPING}=:oversubscribe \
    OMPI_MCA_btl_tcp_if_include=lo \
    OMPI_MCA_btl_vader_single_copy_mechanism=none
VOLUME /results
WORKDIR /results
CMD ["mpirun", "-n", "2", "lkfem", "run", "/opt/lkfem/lkfem/cases/gk_cloak.toml", \
     "--out", "/results/gk_cloak"]
