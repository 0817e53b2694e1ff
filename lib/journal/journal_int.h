/*
 * journal_int — what journal.c (the writer) and journal_read.c (the reader)
 * share inside lib/journal: the on-disk frame. Not a contract for anything
 * outside lib/journal.
 *
 * Format 2 (what journal.c writes):
 *
 *   file header, 8 bytes: 00 74 7a 6a 6f 75 72 02  ("\0tzjour", version 2)
 *   then records, one after another:
 *     offset  size  field
 *     0       4     n, the body's length, big-endian, 1..JOURNAL_RECORD_MAX
 *     4       4     CRC-32C of the body, big-endian
 *     8       4     CRC-32C of bytes 0..7 (the header checks itself)
 *     12      n     body: one tzcensus.Record (protobuf)
 *
 * Format 1 (before checksums): no file header; a varint length, then the
 * body. Still read (old journals replay), never appended to. A format-1 file
 * cannot start with 0x00 (an empty record, which it refuses), so the first
 * byte tells the formats apart; a format-1 reader refuses a format-2 file
 * as a corrupt record at offset 0.
 *
 * Why two checksums: the body's CRC catches a record whose bytes were
 * flipped but still decode; the header's own CRC makes its length
 * trustworthy, so a damaged body is skipped exactly, and a damaged header is
 * skipped by looking for the next offset whose 12 bytes check (a false match
 * has odds 2^-32 per offset). A torn write at a crash can only cut the last
 * record, which the reader tells from damage by its length: the bytes end
 * before the record does. Why CRC-32C: it detects every burst of up to 32
 * flipped bits and is a few lines of code; the journal defends against
 * faulty disks and crashes, not against someone who edits it on purpose.
 */
#ifndef TZ_JOURNAL_JOURNAL_INT_H
#define TZ_JOURNAL_JOURNAL_INT_H

#include <stdint.h>

#define HDR_LEN 12                  /* a format-2 record's header */
#define FILE_HDR_LEN 8
#define FORMAT_VERSION 2

/* "\0tzjour" and the version byte: the first bytes of a format-2 file. */
extern const uint8_t journal_file_magic[FILE_HDR_LEN];

#endif
