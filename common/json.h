/*
 * json.h - JSON string literals for the programs' machine-readable output
 * (repctl --json, repsync's audit log).
 */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include <stdio.h>

/* json_escape - write `str` to fp as a JSON string literal, quotes
 * included: valid UTF-8 passes through, control characters and each byte
 * of an invalid sequence (overlong forms, surrogates, past U+10FFFF)
 * become \u00XX, so that the output always parses; NULL is "" */
void json_escape(FILE *fp, const char *str);

#endif
