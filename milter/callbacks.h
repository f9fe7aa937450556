/*
 * callbacks.h - the libmilter glue: the filter description handed to
 * smfi_register. Each callback turns its arguments into one session call
 * and the session's verdict into libmilter replies.
 */
#ifndef REPMILTER_CALLBACKS_H
#define REPMILTER_CALLBACKS_H

#include "engine.h"

/* callbacks_register - smfi_register our filter; 0 or -1 */
int callbacks_register(void);

/* callbacks_set_engine - the engine that serves the callbacks (borrowed;
 * must outlive smfi_main); until it is set, connections are tempfailed */
void callbacks_set_engine(struct engine *e);

/* callbacks_active - sessions open now (to wait for them at shutdown) */
unsigned callbacks_active(void);

#endif /* REPMILTER_CALLBACKS_H */
