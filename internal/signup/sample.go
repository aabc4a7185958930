package signup

import (
	"bytes"
	"context"
	_ "embed"
)

// sampleCourses are example courses at the help points' towns, marked as
// examples in their titles and notes; dates, times and places are not
// real. The app loads them only into an empty catalogue, so the sandbox
// can try a sign-up.
//
//go:embed sample/courses.csv
var sampleCourses []byte

// LoadSample imports the sample courses when there are none; it returns
// how many it imported.
func (s *Service) LoadSample(ctx context.Context) (int, error) {
	list, err := s.Courses.List(ctx)
	if err != nil || len(list) > 0 {
		return 0, err
	}
	res, err := s.Courses.Import(ctx, "sample/courses.csv", bytes.NewReader(sampleCourses))
	if err != nil {
		return 0, err
	}
	return res.New, nil
}
