/* SPDX-License-Identifier: MIT */
/* sev/owner.h: the guest owner's side (placeholder; being written). */
#ifndef SEVBOOT_SEV_OWNER_H
#define SEVBOOT_SEV_OWNER_H
#endif
