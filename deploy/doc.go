// Package deploy holds what runs holdspace as a service: the hardened
// systemd unit (holdspace.service) here and the Dockerfile at the
// repository's root. Its tests check both without a network: the unit's
// hardening directives (and `systemd-analyze verify` when systemd is
// installed), the image's non-root user, data volume and static build.
// Building the image needs its base images from a registry, so no test
// runs `docker build`.
package deploy
