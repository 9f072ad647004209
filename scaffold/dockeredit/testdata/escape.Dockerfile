# escape=`
FROM registry.example.com/nano:1
LABEL name="windows-ish" `
      path="C:\\app" `
      release="2"
ENV HOME=C:\Users\app
RUN echo one `
    && echo two
