package api

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Installations: the calling client's own installation for the token's
// subject. Responses are bare InstallationResponse objects (no "data"
// envelope), as Pleo documents. Any valid token may call these routes.

var (
	installationStatuses   = []string{"ACTIVATED", "INACTIVE", "AUTHORIZED", "PENDING_INTEGRATION", "ERROR"}
	installationErrorCodes = []string{"NOT_ENTITLED", "AUTH_ERROR"}
)

// createInstallationRequest is Pleo's CreateClientInstallationRequest.
type createInstallationRequest struct {
	Metadata map[string]any `json:"metadata,omitempty"`
	Status   *string        `json:"status,omitempty"`
}

// updateInstallationRequest is Pleo's UpdateInstallationRequest.
type updateInstallationRequest struct {
	Status    string         `json:"status"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	ErrorCode *string        `json:"errorCode,omitempty"`
}

var installationNotFound = notFound("Installation does not exist.")

var getInstallationDoc = operation{
	id: "getClientInstallation", tag: "Installations", summary: "Get the calling client's installation",
	params: []param{queryUUID("company_id", "With an organisation token: the installation for this company of the organisation.")},
	status: http.StatusOK, response: pleo.Installation{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getInstallation answers GET /v1/installations/me.
func (a *API) getInstallation(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	subject := p.Subject
	if q := r.URL.Query(); q.Has("company_id") {
		ids, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
		if err != nil {
			return err
		}
		subject = oauth.Subject{Kind: oauth.SubjectCompany, ID: ids[0]}
	}
	in, err := a.store.Installation(r.Context(), p.ClientID, subject)
	return answerInstallation(w, in, err)
}

var createInstallationDoc = operation{
	id: "createClientInstallation", tag: "Installations", summary: "Create the calling client's installation",
	body: createInstallationRequest{}, bodyRequired: true, bodyEnums: map[string][]string{"status": installationStatuses},
	status: http.StatusOK, response: pleo.Installation{}, errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// createInstallation answers POST /v1/installations/me. A new installation
// starts AUTHORIZED unless the body gives a status. When the client already
// has one for the subject (the consent flow creates it), the call updates
// the status and metadata it gives and answers 200 as well.
func (a *API) createInstallation(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body createInstallationRequest
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	if err := checkEnum("status", body.Status, installationStatuses); err != nil {
		return err
	}
	var in store.Installation
	err := a.store.Write(r.Context(), func(tx *store.Tx) error {
		now := a.clock.Now()
		var err error
		in, err = tx.Installation(r.Context(), p.ClientID, p.Subject)
		exists := err == nil
		if errors.Is(err, store.ErrNotFound) {
			in = store.Installation{ID: store.NewUUID(), ClientID: p.ClientID, Subject: p.Subject,
				Status: store.InstallationAuthorized, Metadata: map[string]any{}, CreatedAt: now}
		} else if err != nil {
			return err
		}
		if body.Status != nil {
			in.Status, in.ErrorCode = *body.Status, ""
		}
		if body.Metadata != nil {
			in.Metadata = body.Metadata
		}
		in.UpdatedAt = now
		if exists {
			return tx.UpdateInstallation(r.Context(), in)
		}
		return tx.InsertInstallation(r.Context(), in)
	})
	return answerInstallation(w, in, err)
}

var updateInstallationDoc = operation{
	id: "updateClientInstallation", tag: "Installations", summary: "Update the calling client's installation",
	body: updateInstallationRequest{}, bodyRequired: true,
	bodyEnums: map[string][]string{"status": installationStatuses, "errorCode": installationErrorCodes},
	status:    http.StatusOK, response: pleo.Installation{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateInstallation answers PUT /v1/installations/me: status is required;
// errorCode is set as given (absent clears it); metadata, when given,
// replaces the stored metadata.
func (a *API) updateInstallation(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body updateInstallationRequest
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	if body.Status == "" {
		return badField("status", "is required.")
	}
	if err := checkEnum("status", &body.Status, installationStatuses); err != nil {
		return err
	}
	if err := checkEnum("errorCode", body.ErrorCode, installationErrorCodes); err != nil {
		return err
	}
	in, err := a.changeInstallation(r, p, func(in *store.Installation) {
		in.Status, in.ErrorCode = body.Status, ""
		if body.ErrorCode != nil {
			in.ErrorCode = *body.ErrorCode
		}
		if body.Metadata != nil {
			in.Metadata = body.Metadata
		}
	})
	return answerInstallation(w, in, err)
}

var activateInstallationDoc = operation{
	id: "activateMyInstallation", tag: "Installations", summary: "Activate the calling client's installation",
	status: http.StatusOK, response: pleo.Installation{}, errors: []int{http.StatusNotFound},
}

// activateInstallation answers POST /v1/installations/me:activate: the
// status becomes ACTIVATED and any error code is cleared.
func (a *API) activateInstallation(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	in, err := a.changeInstallation(r, p, func(in *store.Installation) { in.Status, in.ErrorCode = "ACTIVATED", "" })
	return answerInstallation(w, in, err)
}

var completeInstallationDoc = operation{
	id: "completeInstallationExternalClientOnlyIdempotently", tag: "Installations",
	summary: "Complete the calling client's installation (deprecated by Pleo: use /v1/installations/me:activate)",
	status:  http.StatusOK, response: pleo.Installation{}, errors: []int{http.StatusNotFound},
}

// completeInstallation answers PUT /v1/installations/completions, which
// Pleo deprecates in favour of :activate and documents as idempotent
// ("marks the installation as complete"): the status becomes ACTIVATED and
// any error code is cleared. An installation that is already ACTIVATED
// without an error code is answered as it is, updatedAt unchanged, so a
// repeated call changes nothing. No installation answers 404, as for
// :activate (emulator choice: Pleo documents only 200, 400 and 500).
func (a *API) completeInstallation(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var in store.Installation
	err := a.store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if in, err = tx.Installation(r.Context(), p.ClientID, p.Subject); err != nil {
			return err
		}
		if in.Status == "ACTIVATED" && in.ErrorCode == "" {
			return nil
		}
		in.Status, in.ErrorCode, in.UpdatedAt = "ACTIVATED", "", a.clock.Now()
		return tx.UpdateInstallation(r.Context(), in)
	})
	return answerInstallation(w, in, err)
}

var deleteInstallationDoc = operation{
	id: "deleteClientInstallation", tag: "Installations",
	summary: "Delete the calling client's installation and revoke every token of the client for the subject",
	status:  http.StatusNoContent, errors: []int{http.StatusNotFound},
}

// deleteInstallation answers DELETE /v1/installations/me: it removes the
// installation and revokes, in the same transaction, every grant of the
// client for the subject, so the calling token itself stops working at once.
func (a *API) deleteInstallation(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	err := a.store.Write(r.Context(), func(tx *store.Tx) error {
		return tx.DeleteInstallation(r.Context(), p.ClientID, p.Subject, a.clock.Now())
	})
	if err != nil {
		return storeError(err, installationNotFound, "")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changeInstallation applies change to the client's installation for the
// token's subject and records the time; store.ErrNotFound when there is
// none.
func (a *API) changeInstallation(r *http.Request, p oauth.Principal, change func(*store.Installation)) (store.Installation, error) {
	var in store.Installation
	err := a.store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if in, err = tx.Installation(r.Context(), p.ClientID, p.Subject); err != nil {
			return err
		}
		change(&in)
		in.UpdatedAt = a.clock.Now()
		return tx.UpdateInstallation(r.Context(), in)
	})
	return in, err
}

// answerInstallation answers a route of the calling client's installation:
// in as Pleo's InstallationResponse (200) when err is nil, 404 when err is
// store.ErrNotFound, err itself otherwise.
func answerInstallation(w http.ResponseWriter, in store.Installation, err error) error {
	if err != nil {
		return storeError(err, installationNotFound, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, installationResponse(in))
	return nil
}

// installationResponse renders an installation as Pleo's InstallationResponse.
func installationResponse(in store.Installation) pleo.Installation {
	meta := in.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	return pleo.Installation{ID: in.ID, ApplicationID: applicationID(in.ClientID), Resource: in.Subject.URN(),
		Status: in.Status, ErrorCode: in.ErrorCode, Metadata: meta, CreatedAt: in.CreatedAt.UTC(), UpdatedAt: in.UpdatedAt.UTC()}
}

// checkEnum validates an optional enum field.
func checkEnum(field string, v *string, allowed []string) error {
	if v != nil && !slices.Contains(allowed, *v) {
		return badField(field, "must be one of %s, not %q.", strings.Join(allowed, ", "), *v)
	}
	return nil
}

// applicationNamespace is the UUID namespace of derived application IDs.
var applicationNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8} // RFC 9562 URL namespace

// applicationID is the installation's applicationId: the client ID when it
// is a UUID, else a UUIDv5 (RFC 9562 §5.5) of "urn:pleo-emulator:client:<id>"
// in the URL namespace, so the same client always has the same application.
func applicationID(clientID string) string {
	if oauth.IsUUID(clientID) {
		return strings.ToLower(clientID)
	}
	h := sha1.New()
	h.Write(applicationNamespace[:])
	h.Write([]byte("urn:pleo-emulator:client:" + clientID))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
