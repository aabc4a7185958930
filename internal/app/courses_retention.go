package app

import (
	"context"
	"time"
)

// purgeFinishedCourses deletes the enrolments, waiting lists and claims of
// courses that ended more than PRESIDIO_COURSE_RETENTION ago (see
// courses.PurgeFinished); 0 keeps them. A failure is logged and tried
// again at the next sweep.
func (a *App) purgeFinishedCourses(ctx context.Context, now time.Time) {
	if a.signup == nil || a.signup.Courses == nil || a.cfg.CourseRetention <= 0 {
		return
	}
	ids, err := a.signup.Courses.PurgeFinished(ctx, now.Add(-a.cfg.CourseRetention))
	if err != nil {
		a.log.Warn("deleting the enrolments of finished courses failed", "error", err)
	} else if len(ids) > 0 {
		a.log.Info("deleted the enrolments of finished courses", "courses", ids)
	}
}
