/* store.c - the adapter-neutral part of the storage port: what callers use whichever adapter
 * configuration picked. Adapter code lives under api/store/<adapter>/. */
#include "mercato/store.h"

#include <stddef.h>
#include <stdlib.h>

#include "mercato/err.h"

void mc_store_close(mc_store *st) {
  if (st == NULL) return;
  st->ops->close(st);
}

void mc_cart_free(mc_cart *cart) {
  if (cart == NULL) return;
  free(cart->lines);
  free(cart->text);
  free(cart);
}
