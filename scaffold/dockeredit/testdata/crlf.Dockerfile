# syntax=docker/dockerfile:1
# A builder image in the style of the sclorg containers.
ARG BASE_IMAGE=registry.example.com/ubi9/s2i-base:1

FROM ${BASE_IMAGE}

# Python 3.12 image.
#
# Volumes:
#  * /opt/app-root/src - the application
EXPOSE 8080

ENV PYTHON_VERSION=3.12 \
    PATH=$HOME/.local/bin/:$PATH \
    # comment inside a continued ENV
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=off

ENV SUMMARY="Platform for building and running Python $PYTHON_VERSION applications" \
    DESCRIPTION="Python $PYTHON_VERSION available as container is a base platform for \
building and running various Python $PYTHON_VERSION applications and frameworks."

LABEL summary="$SUMMARY" \
      description="$DESCRIPTION" \
      io.k8s.description="$DESCRIPTION" \
      # the title shown in the web console
      io.k8s.display-name="Python 3.12" \
      io.openshift.expose-services="8080:http" \
      io.openshift.tags="builder,python,python312" \
      com.redhat.component="python-312-container" \
      name="ubi9/python-312" \
      usage="s2i build https://github.com/sclorg/s2i-python-container.git --context-dir=3.12/test/setup-test-app/ ubi9/python-312 python-sample-app" \
      maintainer="SoftwareCollections.org <sclorg@redhat.com>"

RUN INSTALL_PKGS="python3.12 python3.12-devel \
        nss_wrapper-libs httpd" && \
    # comment inside a continued RUN
    yum -y --setopt=tsflags=nodocs install $INSTALL_PKGS && \
    rpm -V $INSTALL_PKGS && \
    yum -y clean all --enablerepo='*'

COPY <<EOF /etc/motd
Welcome: LABEL lines here are not instructions
EXPOSE 9999
EOF

# Copy the S2I scripts from the specific language image to $STI_SCRIPTS_PATH.
COPY 3.12/s2i/bin/ $STI_SCRIPTS_PATH

LABEL io.openshift.s2i.scripts-url=image:///usr/libexec/s2i

	USER 1001

# Set the default CMD to print the usage of the language image.
CMD $STI_SCRIPTS_PATH/usage
