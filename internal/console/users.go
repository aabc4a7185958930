package console

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/crypto/bcrypt"

	"github.com/prils-lazio/presidio/internal/store"
)

// Role is what a console account may do.
type Role string

// The roles of the console.
const (
	// RoleCoordinator may do everything, and reads the audit log.
	RoleCoordinator Role = "coordinator"
	// RoleOperator works on cases and maintains the directory.
	RoleOperator Role = "operator"
	// RoleSchool sees its own site's courses and enrolments only, no cases.
	RoleSchool Role = "school"
	// RolePartner reads the directory and sends referral notes to a help
	// point.
	RolePartner Role = "partner"
)

// Valid reports whether r is one of the Role constants.
func (r Role) Valid() bool {
	return slices.Contains([]Role{RoleCoordinator, RoleOperator, RoleSchool, RolePartner}, r)
}

// UsersCollection holds the console accounts, _id = the login name.
const UsersCollection = "console_users"

// MinPasswordLength and MaxPasswordLength bound passwords (bcrypt reads at
// most 72 bytes).
const (
	MinPasswordLength = 10
	MaxPasswordLength = 72
)

// User is one console account. PasswordHash is a bcrypt hash, never the
// password.
type User struct {
	Name         string    `bson:"_id"`
	Role         Role      `bson:"role"`
	Site         string    `bson:"site,omitempty"`
	PasswordHash string    `bson:"password_hash"`
	Disabled     bool      `bson:"disabled"`
	Created      time.Time `bson:"created"`
}

// Errors of the account operations.
var (
	ErrBadCredentials = errors.New("console: wrong name or password")
	ErrUserExists     = errors.New("console: an account with this name exists already")
)

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)
	siteRE = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)
)

// Users is the account store in the "console_users" collection.
type Users struct {
	coll *mongo.Collection
	// Cost is the bcrypt cost (default bcrypt.DefaultCost).
	Cost int
	now  func() time.Time
}

// NewUsers returns the accounts kept in st.
func NewUsers(st *store.Store) *Users {
	return &Users{coll: st.Collection(UsersCollection), now: time.Now}
}

// CheckNew returns nil when name, role, site and password make a valid new
// account, else an error saying what is wrong.
func CheckNew(name string, role Role, site, password string) error {
	var problems []string
	if !nameRE.MatchString(name) {
		problems = append(problems, "the name must be 2-64 characters: lowercase letters, digits, '.', '_' or '-'")
	}
	if !role.Valid() {
		problems = append(problems, fmt.Sprintf("unknown role %q (coordinator, operator, school, partner)", role))
	}
	switch {
	case role == RoleSchool && site == "":
		problems = append(problems, "a school account needs -site (the site ID of its courses)")
	case site != "" && !siteRE.MatchString(site):
		problems = append(problems, "the site must be an ID: lowercase letters, digits and '-'")
	}
	if len(password) < MinPasswordLength {
		problems = append(problems, fmt.Sprintf("the password must be at least %d characters", MinPasswordLength))
	}
	if len(password) > MaxPasswordLength {
		problems = append(problems, fmt.Sprintf("the password must be at most %d bytes", MaxPasswordLength))
	}
	if why := weakPassword(name, password); why != "" && len(password) >= MinPasswordLength {
		problems = append(problems, why)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Add creates an account. An existing name gives ErrUserExists.
func (u *Users) Add(ctx context.Context, name string, role Role, site, password string) (User, error) {
	if err := CheckNew(name, role, site, password); err != nil {
		return User{}, err
	}
	cost := u.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return User{}, fmt.Errorf("console: hashing the password: %w", err)
	}
	usr := User{Name: name, Role: role, Site: site, PasswordHash: string(hash), Created: u.now().UTC().Truncate(time.Millisecond)}
	if _, err := u.coll.InsertOne(ctx, usr); err != nil {
		if store.IsDuplicate(err) {
			return User{}, ErrUserExists
		}
		return User{}, fmt.Errorf("console: adding the account: %w", err)
	}
	return usr, nil
}

// Get returns the account; an unknown name gives store.ErrNotFound.
func (u *Users) Get(ctx context.Context, name string) (User, error) {
	var usr User
	err := u.coll.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&usr)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, fmt.Errorf("console: account %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("console: reading account %q: %w", name, err)
	}
	return usr, nil
}

// List returns every account by name.
func (u *Users) List(ctx context.Context) ([]User, error) {
	cur, err := u.coll.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("console: listing accounts: %w", err)
	}
	var out []User
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("console: listing accounts: %w", err)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Disable stops the account from logging in; its open sessions end at
// their next request.
func (u *Users) Disable(ctx context.Context, name string) error {
	res, err := u.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: name}}, bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: true}}}})
	if err != nil {
		return fmt.Errorf("console: disabling %q: %w", name, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("console: account %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// dummyHash makes a login with an unknown name cost as much as a wrong
// password, so response times do not tell which names exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("presidio-console-dummy"), bcrypt.DefaultCost)

// Authenticate returns the enabled account whose password this is, else
// ErrBadCredentials (also for unknown and disabled accounts).
func (u *Users) Authenticate(ctx context.Context, name, password string) (User, error) {
	usr, err := u.Get(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(usr.PasswordHash), []byte(password)) != nil || usr.Disabled {
		return User{}, ErrBadCredentials
	}
	return usr, nil
}
