"""Host side of nvqual's QEMU end-to-end stage (see ci/qemu/README.md)."""
