FROM registry.example.com/base:1
LABEL a=1 \
  b=2
RUN <<EOF
set -e
echo "USER root"
EOF
COPY <<-CONF /etc/app.conf
	EXPOSE 1
	CONF
CMD ["/usr/bin/app"]
