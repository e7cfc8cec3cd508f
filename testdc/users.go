package testdc

import (
	"context"

	"github.com/gotd/td/tg"
)

// registerMisc routes what clients call besides authorization (help.getConfig
// and help.getCdnConfig are answered by tgtest's config service).
func (d *DC) registerMisc(r *tg.ServerDispatcher) {
	r.OnUsersGetUsers(d.getUsers)
	r.OnUpdatesGetState(d.getState)
	r.OnUpdatesGetDifference(d.getDifference)
	r.OnHelpGetNearestDC(d.getNearestDC)
	r.OnHelpAcceptTermsOfService(func(context.Context, tg.DataJSON) (bool, error) { return true, nil })
	r.OnHelpGetTermsOfServiceUpdate(d.getTermsOfServiceUpdate)
}

// getUsers answers the authorized user for inputUserSelf and the known
// users among the other IDs; 401 AUTH_KEY_UNREGISTERED on a key that is not
// authorized.
func (d *DC) getUsers(ctx context.Context, ids []tg.InputUserClass) ([]tg.UserClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	self, err := s.self(c)
	if err != nil {
		return nil, err
	}
	var users []tg.UserClass
	for _, id := range ids {
		switch id := id.(type) {
		case *tg.InputUserSelf:
			users = append(users, self.user(true))
		case *tg.InputUser:
			if u, ok := s.users[id.UserID]; ok {
				users = append(users, u.user(u == self))
			}
		}
	}
	return users, nil
}

// getState answers an empty update state to an authorized key; the test DC
// has no updates but updateLoginToken (see acceptLoginToken).
func (d *DC) getState(ctx context.Context) (*tg.UpdatesState, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.self(c); err != nil {
		return nil, err
	}
	return &tg.UpdatesState{Pts: 1, Qts: 0, Seq: 0, Date: int(s.now().Unix())}, nil
}

// getDifference answers an authorized key that nothing happened.
func (d *DC) getDifference(ctx context.Context, _ *tg.UpdatesGetDifferenceRequest) (tg.UpdatesDifferenceClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.self(c); err != nil {
		return nil, err
	}
	return &tg.UpdatesDifferenceEmpty{Date: int(s.now().Unix()), Seq: 0}, nil
}

func (d *DC) getNearestDC(ctx context.Context) (*tg.NearestDC, error) {
	c := callOf(ctx)
	return &tg.NearestDC{Country: "ZZ", ThisDC: c.dc, NearestDC: c.dc}, nil
}

func (d *DC) getTermsOfServiceUpdate(ctx context.Context) (tg.HelpTermsOfServiceUpdateClass, error) {
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()
	return &tg.HelpTermsOfServiceUpdateEmpty{Expires: int(s.now().Unix()) + 3600}, nil
}
