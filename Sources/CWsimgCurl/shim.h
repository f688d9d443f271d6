#ifndef WSIMG_CURL_SHIM_H
#define WSIMG_CURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_multi_setopt are variadic, which Swift cannot call.
   Each wrapper below fixes one option to one C type. */

typedef size_t (*wsimg_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);

static inline CURLcode wsimg_curl_set_url(CURL *h, const char *url) {
    return curl_easy_setopt(h, CURLOPT_URL, url);
}
static inline CURLcode wsimg_curl_set_post_body(CURL *h, const void *body, long length) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, length);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
}
static inline CURLcode wsimg_curl_set_headers(CURL *h, struct curl_slist *headers) {
    return curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
}
static inline CURLcode wsimg_curl_set_write_callback(CURL *h, wsimg_curl_data_callback cb, void *userdata) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_WRITEDATA, userdata);
}
static inline CURLcode wsimg_curl_set_header_callback(CURL *h, wsimg_curl_data_callback cb, void *userdata) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_HEADERDATA, userdata);
}
static inline CURLcode wsimg_curl_set_private(CURL *h, void *pointer) {
    return curl_easy_setopt(h, CURLOPT_PRIVATE, pointer);
}
static inline void *wsimg_curl_get_private(CURL *h) {
    char *pointer = NULL;
    curl_easy_getinfo(h, CURLINFO_PRIVATE, &pointer);
    return pointer;
}
static inline CURLcode wsimg_curl_set_timeouts_ms(CURL *h, long total, long connect) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect);
}
static inline CURLcode wsimg_curl_set_error_buffer(CURL *h, char *buffer) {
    return curl_easy_setopt(h, CURLOPT_ERRORBUFFER, buffer);
}
/* Defaults every transfer gets: no signals (we are multi-threaded), HTTP/2 over TLS when offered,
   certificate checks on, no redirects to other hosts carrying the Authorization header. */
static inline CURLcode wsimg_curl_set_defaults(CURL *h) {
    CURLcode rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
}
/* Over TLS, wait for a connection being set up to say whether it multiplexes (HTTP/2) before
   opening more. Over plain http curl cannot know until a response, so it would wait a whole request. */
static inline CURLcode wsimg_curl_set_wait_for_multiplexing(CURL *h, long wait) {
    return curl_easy_setopt(h, CURLOPT_PIPEWAIT, wait);
}
/* Plain GET instead of the default POST (image downloads). */
static inline CURLcode wsimg_curl_set_get(CURL *h) {
    return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
}
static inline CURLcode wsimg_curl_set_user_agent(CURL *h, const char *agent) {
    return curl_easy_setopt(h, CURLOPT_USERAGENT, agent);
}
/* Follows up to max redirects, only to the given protocols ("https" or "http,https"). Only for
   requests that carry no credentials. */
static inline CURLcode wsimg_curl_set_follow_redirects(CURL *h, long max, const char *protocols) {
    CURLcode rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_MAXREDIRS, max)) != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
}
/* CA certificates: a bundle file and/or a hashed folder (NULL leaves curl's default). */
static inline CURLcode wsimg_curl_set_ca(CURL *h, const char *bundle, const char *folder) {
    CURLcode rc;
    if (bundle != NULL && (rc = curl_easy_setopt(h, CURLOPT_CAINFO, bundle)) != CURLE_OK) return rc;
    if (folder != NULL && (rc = curl_easy_setopt(h, CURLOPT_CAPATH, folder)) != CURLE_OK) return rc;
    return CURLE_OK;
}
/* Hosts that never go through a proxy (replaces what curl would read from NO_PROXY). */
static inline CURLcode wsimg_curl_set_no_proxy(CURL *h, const char *hosts) {
    return curl_easy_setopt(h, CURLOPT_NOPROXY, hosts);
}
/* An empty proxy name: connect directly whatever the environment says. */
static inline CURLcode wsimg_curl_disable_proxy(CURL *h) {
    return curl_easy_setopt(h, CURLOPT_PROXY, "");
}
static inline long wsimg_curl_http_version(CURL *h) {
    long version = 0;
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
    return version == CURL_HTTP_VERSION_2_0 ? 2 : version == CURL_HTTP_VERSION_3 ? 3 : 1;
}
static inline const char *wsimg_curl_effective_url(CURL *h) {
    char *url = NULL;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
    return url;
}
static inline const char *wsimg_curl_version(void) {
    return curl_version_info(CURLVERSION_NOW)->version;
}
static inline const char *wsimg_curl_ssl_version(void) {
    const char *ssl = curl_version_info(CURLVERSION_NOW)->ssl_version;
    return ssl ? ssl : "";
}
static inline long wsimg_curl_response_code(CURL *h) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
static inline long wsimg_curl_connects_opened(CURL *h) {
    long count = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &count);
    return count;
}

static inline CURLMcode wsimg_curl_multi_set_max_host_connections(CURLM *m, long count) {
    return curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, count);
}
static inline CURLMcode wsimg_curl_multi_set_max_cached_connections(CURLM *m, long count) {
    return curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, count);
}
static inline CURLMcode wsimg_curl_multi_enable_multiplexing(CURLM *m) {
    return curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
}

/* CURLMsg carries a union that Swift imports awkwardly; these read it. */
static inline int wsimg_curl_msg_is_done(const CURLMsg *msg) { return msg->msg == CURLMSG_DONE; }
static inline CURL *wsimg_curl_msg_handle(const CURLMsg *msg) { return msg->easy_handle; }
static inline CURLcode wsimg_curl_msg_result(const CURLMsg *msg) { return msg->data.result; }

#endif
