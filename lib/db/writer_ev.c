/*
 * writer_ev — libev watchers around the sans-loop writer.
 *
 * Loop liveness: libev counts every active watcher as a reason to keep
 * running. The prepare watcher is always unref'd; the io and timer watchers
 * hold a reference only while the writer has queued rows, so ev_run() does
 * not return with unstored rows, and does return once they are stored and
 * nothing else is active.
 */
#include "db/writer_ev.h"

#include <stdlib.h>

struct db_writer_ev {
	struct ev_loop *loop;
	struct db_writer *w;
	ev_io io;
	ev_timer timer;
	ev_prepare prep;
	int fd;           /* fd the io watcher is set to, -1 none */
	unsigned events;  /* its events */
	bool io_ref;      /* io watcher holds a loop reference */
	bool timer_ref;
};

/* The writer's clock (monotonic), not ev_now(): deadlines must not jump with the wall clock. */
static int64_t now_ms(struct ev_loop *loop)
{
	(void)loop;
	return db_now_ms();
}

static void io_stop(struct db_writer_ev *g)
{
	if (ev_is_active(&g->io)) {
		if (!g->io_ref)
			ev_ref(g->loop);
		ev_io_stop(g->loop, &g->io);
	}
	g->io_ref = false;
}

static void timer_stop(struct db_writer_ev *g)
{
	if (ev_is_active(&g->timer)) {
		if (!g->timer_ref)
			ev_ref(g->loop);
		ev_timer_stop(g->loop, &g->timer);
	}
	g->timer_ref = false;
}

/* Makes the watchers match what the writer wants now. */
static void sync_watchers(struct db_writer_ev *g)
{
	bool busy = !db_writer_idle(g->w);
	int fd = db_writer_fd(g->w);
	unsigned wants = db_writer_wants(g->w);
	int events = ((wants & DB_WANT_READ) ? EV_READ : 0) | ((wants & DB_WANT_WRITE) ? EV_WRITE : 0);

	if (fd != g->fd || (unsigned)events != g->events || busy != g->io_ref ||
	    !ev_is_active(&g->io) != (fd < 0 || !events)) {
		io_stop(g);
		g->fd = fd;
		g->events = (unsigned)events;
		if (fd >= 0 && events) {
			/* ev_io_set marks the fd as possibly new: safe across reconnects. */
			ev_io_set(&g->io, fd, events);
			ev_io_start(g->loop, &g->io);
			g->io_ref = busy;
			if (!busy)
				ev_unref(g->loop);
		}
	}

	timer_stop(g);
	int64_t dl = db_writer_deadline(g->w);
	if (dl >= 0) {
		int64_t now = now_ms(g->loop);
		double after = dl > now ? (double)(dl - now) / 1000.0 : 0.0;
		ev_timer_set(&g->timer, after, 0.0);
		ev_timer_start(g->loop, &g->timer);
		g->timer_ref = busy;
		if (!busy)
			ev_unref(g->loop);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct db_writer_ev *g = io->data;
	unsigned ready = ((revents & EV_READ) ? DB_WANT_READ : 0) |
			 ((revents & EV_WRITE) ? DB_WANT_WRITE : 0);
	db_writer_step(g->w, ready, now_ms(loop));
	sync_watchers(g);
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)revents;
	struct db_writer_ev *g = t->data;
	/* The timer fired, so it is no longer active: forget its reference state. */
	if (!g->timer_ref)
		ev_ref(loop);
	g->timer_ref = false;
	db_writer_step(g->w, 0, now_ms(loop));
	sync_watchers(g);
}

static void prep_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
	(void)revents;
	struct db_writer_ev *g = p->data;
	db_writer_step(g->w, 0, now_ms(loop));
	sync_watchers(g);
}

struct db_writer_ev *db_writer_ev_new(struct ev_loop *loop, struct db_writer *w)
{
	struct db_writer_ev *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->loop = loop;
	g->w = w;
	g->fd = -1;
	ev_init(&g->io, io_cb);
	g->io.data = g;
	ev_init(&g->timer, timer_cb);
	g->timer.data = g;
	ev_prepare_init(&g->prep, prep_cb);
	g->prep.data = g;
	ev_prepare_start(loop, &g->prep);
	ev_unref(loop);
	sync_watchers(g);
	return g;
}

void db_writer_ev_kick(struct db_writer_ev *g)
{
	db_writer_step(g->w, 0, now_ms(g->loop));
	sync_watchers(g);
}

void db_writer_ev_free(struct db_writer_ev *g)
{
	if (!g)
		return;
	io_stop(g);
	timer_stop(g);
	ev_ref(g->loop);
	ev_prepare_stop(g->loop, &g->prep);
	free(g);
}
