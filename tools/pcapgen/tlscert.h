/* tlscert.h: the certificate flights of a TLS 1.2 handshake, with a
 * certificate written in DER (tlscert.c).  Like payloads.h, each builder
 * writes into buf of cap bytes and returns the length, 0 when it does not
 * fit; random fields come from rng. */
#ifndef LW_PCAPGEN_TLSCERT_H
#define LW_PCAPGEN_TLSCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payloads.h"

/* The server's flight after its ServerHello, in one handshake record:
 * Certificate (for `cn`), ServerKeyExchange (ECDHE secp256r1),
 * CertificateRequest when request_cert (mutual TLS), ServerHelloDone. */
size_t pl_tls_server_flight(uint8_t *buf, size_t cap, const char *cn,
			    bool request_cert, struct pl_rng *rng);

/* A client's second flight under mutual TLS: Certificate (for `cn`),
 * ClientKeyExchange, CertificateVerify in one record, ChangeCipherSpec
 * and the encrypted Finished. */
size_t pl_tls_client_cert_flight(uint8_t *buf, size_t cap, const char *cn,
				 struct pl_rng *rng);

#endif
