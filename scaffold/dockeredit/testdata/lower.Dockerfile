from registry.example.com/base:latest
# lowercase instructions, the old "key value" form
env APP_ROOT /opt/app-root
label version=1.0 release=7    vendor='Example Corp'
expose 8080/tcp 8443
volume ["/var/lib/data", "/var/log/app"]
run echo done
cmd ["run"]
