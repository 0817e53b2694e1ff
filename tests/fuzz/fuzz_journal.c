/*
 * Fuzz target: the journal reader (lib/journal) over arbitrary bytes, in
 * both formats (1: varint framing; 2: file header and CRC-32C records).
 * Every record it yields must pass the record checks; it reads on over
 * damaged format-2 records as replay does, and the offset must grow at
 * every step, yielded or skipped, so it stops; it never reads past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_reader *r = journal_reader_mem(data, size);
	if (!r)
		return 0;
	struct journal_entry e;
	uint64_t last = 0;
	size_t n = 0;
	uint64_t skipped = 0;
	for (;;) {
		uint64_t before = journal_reader_offset(r);
		enum err st = journal_next(r, &e);
		if (st == ERR_PROTO && journal_reader_resumable(r)) {
			if (journal_reader_offset(r) <= before || journal_reader_offset(r) > size)
				abort(); /* a skip must move on, and not past the end */
			skipped++;
			continue;
		}
		if (st != ERR_OK || e.kind == JOURNAL_END_OF_FILE)
			break;
		if (n > 0 && e.offset <= last)
			abort();
		last = e.offset;
		n++;
		volatile size_t sink = 0;
		switch (e.kind) {
		case JOURNAL_VISIT:
			if (visit_rec_check(&e.u.visit) != ERR_OK)
				abort();
			sink += strlen(e.u.visit.point);
			if (e.u.visit.chain_name && e.u.visit.chain_name_len)
				sink += e.u.visit.chain_name[e.u.visit.chain_name_len - 1];
			if (e.u.visit.error)
				sink += strlen(e.u.visit.error);
			if (e.u.visit.public_key)
				sink += e.u.visit.public_key[REC_PUBLIC_KEY_LEN - 1];
			if (e.u.visit.head_hash)
				sink += e.u.visit.head_hash[REC_BLOCK_HASH_LEN - 1];
			break;
		case JOURNAL_ADV:
			if (adv_rec_check(&e.u.adv) != ERR_OK)
				abort();
			break;
		case JOURNAL_RPC:
			if (rpc_rec_check(&e.u.rpc) != ERR_OK)
				abort();
			sink += strlen(e.u.rpc.point);
			break;
		case JOURNAL_CRAWL_START:
			if (e.u.start.vantage)
				sink += strlen(e.u.start.vantage);
			if (e.u.start.config_json)
				sink += strlen(e.u.start.config_json);
			break;
		case JOURNAL_CRAWL_END:
			if ((unsigned)e.u.end.status >= CRAWL_STATUS_N)
				abort();
			break;
		case JOURNAL_END_OF_FILE:
			break;
		}
		(void)sink;
	}
	if (journal_reader_offset(r) > size || journal_reader_corrupt(r) != skipped)
		abort();
	journal_reader_free(r);
	return 0;
}
