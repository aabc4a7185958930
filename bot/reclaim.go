package bot

import (
	"context"
	"time"
)

// reclaimAfterErasure asks the store, a moment after a person's data was
// erased, to give the freed space back and empty its write-ahead log, so
// that nothing they wrote is left in any file of the data folder (see
// store.Reclaim). Several erasures close together share one pass.
func (r *Runtime) reclaimAfterErasure() {
	select {
	case r.reclaim <- struct{}{}:
	default: // a pass is already due
	}
}

func (r *Runtime) reclaimLoop(quit <-chan struct{}) {
	for {
		select {
		case <-quit:
			return
		case <-r.reclaim:
		}
		select {
		case <-quit:
			return
		case <-time.After(300 * time.Millisecond): // let the erasure's last writes land
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := r.store.Reclaim(ctx); err != nil {
			r.log.Warn("could not reclaim space after an erasure; the hourly pass will", "error", err)
		}
		cancel()
	}
}
