// <linux/vfio.h> for C++: its flexible array members are a GNU extension that
// -Wpedantic reports; the structures are used as the kernel defines them.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <linux/vfio.h>
#pragma GCC diagnostic pop

#include <sys/ioctl.h>
