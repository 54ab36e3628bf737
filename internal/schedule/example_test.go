package schedule_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/schedule"
)

func Example() {
	c, err := schedule.Parse("cron(30 2 ? * SUN *)")
	if err != nil {
		panic(err)
	}
	loc, err := schedule.ParseTimezone("America/New_York")
	if err != nil {
		panic(err)
	}
	// 02:30 does not exist on 2025-03-09 in New York: the run happens
	// when the clock jumps to 03:00.
	next, _ := c.Next(time.Date(2025, 3, 2, 3, 0, 0, 0, loc), loc)
	fmt.Println(next)
	next, _ = c.Next(next, loc)
	fmt.Println(next)
	// Output:
	// 2025-03-09 03:00:00 -0400 EDT
	// 2025-03-16 02:30:00 -0400 EDT
}

func ExampleParse_error() {
	_, err := schedule.Parse("cron(0 25 * * ? *)")
	fmt.Println(err)
	var e *schedule.ExpressionError
	fmt.Println(errors.Is(err, schedule.ErrInvalidExpression), errors.As(err, &e) && e.Field == "hour")
	// Output:
	// cron(0 25 * * ? *): hour field: 25 is out of range 0-23
	// true true
}
