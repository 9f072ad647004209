package lint

// realWorldReport is the measurement of kiln lint on real builder
// repositories nobody here wrote; docs/lint.md carries it. Re-measure after
// changing a rule: lint the repositories at these commits in one call and
// judge every finding at warning or above.
const realWorldReport = `## Measured on real builder repositories

kiln lint ran once over these repositories (their Dockerfiles, s2i scripts, wrapper scripts,
test/run, README.md and templates), from the directory holding them all, on 2026-11-30:

| repository | commit |
|---|---|
| github.com/sclorg/s2i-python-container | e007f85c98201ffc56ef7b90a302e304e66dc4c7 |
| github.com/sclorg/s2i-nodejs-container | cb79a8beb0e24b25aec7529cbc2e021254c80454 |
| github.com/sclorg/s2i-ruby-container | 7196a77f3b1db6757e749c144624bb0430614683 |
| github.com/sclorg/s2i-base-container | cada84e64706f4b6e674b02c5780838d6f6e220f |
| github.com/openshift/source-to-image (test images, examples, release image) | f1a48f01c0249612e85bc51b0074c51e113bafa1 |

It found 136 Dockerfiles in 41 builder directories (templates such as Dockerfile.tpl are skipped), ran without an
abort, and reported 501 findings: 68 errors, 159 warnings, 274 info. Every finding at warning or above was judged by
reading the file against the guideline the rule cites:

| rule | findings | true | false | what they are |
|---|---|---|---|---|
| KL000 | 8 | 0 | 8 | nodejs test/run: ` + "`readonly -A gitconfig=( [user.name]=... )`" + ` is valid bash that mvdan.cc/sh reads as arithmetic; kiln says it cannot check the file and lints the others |
| KL001 | 42 | 42 | 0 | FROM without a tag: ubi9/s2i-core, quay.io/sclorg/s2i-core-c8s, ubi8/s2i-base, ubi8/nodejs-16 (examples), busybox and sti_test/sti-fake (source-to-image's test images) |
| KL002 | 24 | 24 | 0 | FROM ...:latest (ubi8/s2i-core:latest, ubi9/ubi-minimal:latest, ubi10:latest) |
| KL003 | 26 | 26 | 0 | CentOS Stream 8 (s2i-core-c8s), Fedora 38-41 (fedora, fedora-minimal, s2i-core, s2i-base), centos:centos7 |
| KL013 | 24 | 24 | 0 | python: COPY .../root/opt/wheels /opt/wheels, removed by a later RUN, so the wheels still ship |
| KL020 | 9 | 9 | 0 | consecutive RUNs (source-to-image's nginx-centos7 example, ruby 4.0) |
| KL022 | 9 | 9 | 0 | ADD of local files and directories (from-dockerfile examples, sti-fake-scripts) |
| KL071 | 1 | 1 | 0 | source-to-image's release image ends with USER root (a build environment, but it does run as root) |
| KL072 | 1 | 1 | 0 | sti-fake-user: USER fakeuser (the test image exists to test a named user) |
| KL073 | 5 | 5 | 0 | nginx-centos7 example: chown 1001:1001 |
| KL074 | 39 | 39 | 0 | s2i-core: chown -R 1001:0 of $HOME/.pki and $APP_ROOT without chmod g=u; nginx-centos7; the release image; sti-fake's /opt/app-root/src and /sti-fake |
| KL080, KL081 | 10 | 10 | 0 | sti-fake builders on busybox without io.k8s.description and io.k8s.display-name |
| KL082 | 17 | 17 | 0 | s2i-core on CentOS Stream and Fedora, and the sti-fake builders, set no io.openshift.tags |
| KL092 | 4 | 4 | 0 | io.openshift.tags="s2i-core rhel9", "s2i-base rhel10": space-separated |
| KL133 | 8 | 8 | 0 | nodejs 18 and 20 run reads INIT_WRAPPER and NODE_CMD, which their README.md never mentions (22 and 24 document them) |
| **total** | **227** | **219** | **8 (3.5%)** | no false error: all 68 errors are true |

KL076 (a system directory made writable by group 0), added after this table, once reported an error on sclorg's
nodejs examples/from-dockerfile: ` + "`RUN fix-permissions ./`" + ` read as ` + "`/`" + `, where the working directory is the base image's
(/opt/app-root/src): false. A relative path is now judged only where the Dockerfile sets an absolute WORKDIR or the
base is an OS image (WORKDIR /), and the corpus gives the 501 findings above again.

Before this measurement 35% of the warning-or-error findings were false (256 of 733); the rules that caused them
now read what the repositories do: vendor label keys (com.redhat.license_terms) are valid (KL087); variables a run
script sets itself or the Dockerfile sets with ENV are not configuration (KL133); a missing label, EXPOSE, USER or
run script that the base image may provide is info, saying so (KL070, KL081, KL084, KL126); scripts created by RUN
(ln -s, install, chmod +x) count (KL124, KL126); an error branch that ends with a message leaves nothing to exec
(KL120, now a warning); test/run is optional (KL130, info); an image that ships no assemble and run needs no builder
tag (KL083, info).

`
