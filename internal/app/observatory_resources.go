package app

import (
	"context"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/observatory"
)

// observatoryDashboard is the observatory's pages as the console mounts
// them, with the plan's resources from the directory and the courses.
func (a *App) observatoryDashboard(texts observatory.Texts) *observatory.Dashboard {
	return &observatory.Dashboard{Reader: observatory.NewReader(a.Store), Texts: texts, Logger: a.log,
		Resources: planResources(directory.New(a.Store), a.signup.Courses)}
}

// planResources gives the observatory's plan the services the directory
// lists (not retired; sample services included, as the bot shows them)
// and the courses with their counts now.
func planResources(dir *directory.Directory, cat *courses.Courses) func(context.Context) (observatory.Resources, error) {
	return func(ctx context.Context) (observatory.Resources, error) {
		var res observatory.Resources
		for _, c := range directory.Categories() {
			res.Categories = append(res.Categories, string(c))
		}
		services, err := dir.List(ctx, directory.Filter{})
		if err != nil {
			return res, err
		}
		for _, s := range services {
			hours := 0.0
			if h, err := s.Schedule(); err == nil {
				if h.Always {
					hours = 7 * 24
				}
				for _, day := range h.Week {
					for _, r := range day {
						hours += float64(r.End-r.Start) / 60
					}
				}
			}
			res.Services = append(res.Services, observatory.ServiceInfo{
				Category: string(s.Category), Town: s.Municipality, HoursPerWeek: hours, Languages: s.Languages,
			})
		}
		if cat == nil {
			return res, nil
		}
		list, err := cat.List(ctx)
		if err != nil {
			return res, err
		}
		for _, c := range list {
			if c.Retired {
				continue // no seats to offer; its people were told it is cancelled
			}
			n, err := cat.Counts(ctx, c.ID)
			if err != nil {
				return res, err
			}
			res.Courses = append(res.Courses, observatory.CourseInfo{
				Site: c.Site, Level: string(c.Level), TimeOfDay: observatory.TimeOfDay(c.StartTime),
				Seats: c.Seats, Enrolled: n.Enrolled, Waiting: n.Waiting,
			})
		}
		return res, nil
	}
}
