package httpapi

// The account routes of issue 13, documented with the others.
func init() {
	operations = append(operations,
		operation{"POST /api/v1/me/password", "Change one's own password (other sign-ins are signed out)", true,
			passwordRequest{}, 204, []int{400}},
		operation{"GET /api/v1/me/sessions", "One's live API tokens and web sessions", true, nil, 200, nil},
		operation{"POST /api/v1/me/sessions/sign-out-others", "Sign out every other token and web session", true, nil, 204, nil},
		operation{"POST /api/v1/me/second-factor", "Start TOTP enrolment: secret and otpauth URL", true, nil, 201, []int{409}},
		operation{"POST /api/v1/me/second-factor/confirm", "Confirm TOTP enrolment with a code; returns recovery codes once", true,
			otpRequest{}, 200, []int{400, 409}},
		operation{"POST /api/v1/me/second-factor/disable", "Turn one's second factor off", true,
			currentPasswordRequest{}, 204, []int{400, 403}},
		operation{"POST /api/v1/users/{id}/invitations", "Issue a single-use invitation link (admin; practitioner for their clients)", true, nil, 201, []int{403, 404, 409}},
		operation{"POST /api/v1/users/{id}/disable", "Disable an account and sign it out everywhere (admin)", true, nil, 204, []int{403, 404, 409}},
		operation{"POST /api/v1/users/{id}/enable", "Re-enable an account (admin)", true, nil, 204, []int{403, 404, 409}},
		operation{"POST /api/v1/users/{id}/second-factor/reset", "Turn off an account's second factor (admin; a lost phone)", true, nil, 204, []int{404}},
		operation{"POST /api/v1/practitioners/{id}/credentials/{cid}/revoke", "Revoke a credential with a reason (admin)", true,
			reasonRequest{}, 204, []int{400, 403, 404, 409}},
	)
}
