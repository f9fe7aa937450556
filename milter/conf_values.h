/*
 * conf_values.h - parsers, printers and checks of repmilter.conf values,
 * private to conf.c (its option table) and conf_values.c.
 */
#ifndef REPMILTER_CONF_VALUES_H
#define REPMILTER_CONF_VALUES_H

#include <stddef.h>

#include "cfgfile.h"

#define CONFIG_SCORE_MAX 1000.0

int conf_check_socket(const char *v, char *why, size_t len);
int conf_check_path(const char *v, char *why, size_t len);
int conf_check_path_or_empty(const char *v, char *why, size_t len);
int conf_check_user(const char *v, char *why, size_t len);
int conf_check_authserv_id(const char *v, char *why, size_t len);
int conf_parse_facility(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_format_text(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);
int conf_parse_level(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_format_level(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);
int conf_parse_servers(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_parse_ip_lists(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
void conf_release_ip_lists(const struct cfgfile_option *o, void *obj);
int conf_parse_domain_lists(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
void conf_release_domain_lists(const struct cfgfile_option *o, void *obj);
int conf_parse_allowlist(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_format_allowlist(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);
int conf_parse_networks(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_parse_reply(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_format_reply(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);
int conf_parse_weights(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
void conf_release_weights(const struct cfgfile_option *o, void *obj);
int conf_parse_temperror_action(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
int conf_format_temperror_action(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);

#endif /* REPMILTER_CONF_VALUES_H */
