/*
 * Fuzz target: the journal reader (lib/journal) over arbitrary bytes.
 * Every record it yields must pass the record checks, offsets must only
 * grow, and it must stop (every record consumes at least one byte).
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
	while (journal_next(r, &e) == ERR_OK && e.kind != JOURNAL_END_OF_FILE) {
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
	if (journal_reader_offset(r) > size)
		abort();
	journal_reader_free(r);
	return 0;
}
