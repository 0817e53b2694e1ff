/*
 * vecfile — shared helper for unit tests: load a JSON vector file from
 * tests/data/vectors/ (jansson) and decode its hex fields. Every failure is a
 * cmocka test failure, so callers need no error handling. Test-only.
 */
#ifndef TZ_TESTS_VECFILE_H
#define TZ_TESTS_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Loads tests/data/vectors/<name> (run from the repository root). Owned: json_decref. */
json_t *vecfile_load(const char *name);

/* The string member key of obj; fails the test when absent or not a string. */
const char *vecfile_str(const json_t *obj, const char *key);

/* Decodes hex member key into a malloc'd buffer (free it); *len gets its size. */
uint8_t *vecfile_hex(const json_t *obj, const char *key, size_t *len);

/* Decodes hex member key into out, which must be exactly len bytes long. */
void vecfile_hex_fixed(const json_t *obj, const char *key, uint8_t *out, size_t len);

/* Decodes a hex C string into a malloc'd buffer (free it). */
uint8_t *vecfile_unhex(const char *text, size_t *len);

/* Reads a whole file into a malloc'd NUL-terminated buffer (free it). */
char *vecfile_read(const char *path, size_t *len);

#endif
