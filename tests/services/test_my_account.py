"""My Account on SQLite and PostgreSQL: Personal Information's mobile number (E.164
through phonenumbers, shown formatted) and the account's security Settings."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, OperatorUser
from portal_app.services.errors import ValidationError
from portal_app.services.profile import profile_update
from portal_app.services.users import actor_for
from portal_app.services.validation import format_phone


def test_a_mobile_number_is_stored_in_e164_and_shown_formatted(db, make_user):
    user = make_user(name="Mo Bile")
    me = actor_for(user, db)
    profile_update(session=db, actor=me, data={"name": "Mo Bile", "mobile": "+44 7911 123 456"})
    db.commit()
    db.expire_all()
    assert db.get(OperatorUser, user.id).mobile == "+447911123456"
    assert format_phone("+447911123456") == "+44 7911 123456"
    (audit,) = db.exec(select(AuditEvent).where(AuditEvent.action == "user.profile_update")).all()
    assert audit.after == {"name": "Mo Bile", "mobile": "+447911123456"}
    profile_update(session=db, actor=me, data={"name": "Mo Bile", "mobile": ""})  # cleared
    db.commit()
    db.expire_all()
    assert db.get(OperatorUser, user.id).mobile == ""


@pytest.mark.parametrize("mobile", ["07700 900123", "+44 12", "+1 555 0100 x12", "call me"])
def test_a_bad_mobile_number_gets_a_message_and_changes_nothing(db, make_user, mobile):
    user = make_user(name="Mo Bile")
    with pytest.raises(ValidationError) as err:
        profile_update(
            session=db, actor=actor_for(user, db), data={"name": "New Name", "mobile": mobile}
        )
    assert "mobile number" in err.value.fields["mobile"]
    db.rollback()
    db.expire_all()
    row = db.get(OperatorUser, user.id)
    assert (row.name, row.mobile) == ("Mo Bile", "")
