# English catalog of the citizen chat (on request, or when the citizen writes in English).
# Dates arrive pre-formatted (dd/MM/yyyy HH:mm, Asia/Ho_Chi_Minh); numbers are formatted here.

## Menu and general answers

welcome = Hello! I am the dossier assistant of the one-stop section. Send the dossier code printed on your receipt slip to link it, then ask "where is my dossier?".
welcome-english = (Tiếng Việt: cứ nhắn bằng tiếng Việt, hoặc gửi "tiếng Việt".)
greeting-linked = { $count ->
    [one] Hello! You have linked 1 dossier to this chat. Ask "where is my dossier?" or choose an item below.
   *[other] Hello! You have linked { $count } dossiers to this chat. Ask "where is my dossier?" or choose an item below.
}
menu-prompt = What do you need? Choose an item below or send a dossier code.
not-understood = Sorry, I did not understand. I can:
    • tell you the status and appointment date of the dossiers you have linked;
    • link a new dossier (send the code printed on your receipt slip);
    • give the working hours, address and phone number of the one-stop section.
    Choose an item below.
not-understood-contact = For anything else, please call { $hotline }.
button-invalid = This button is not valid or has expired.
cancelled = Cancelled.
menu-status = Check my dossier
menu-link = Link a dossier
menu-help = Talk to staff
menu-unlink = Unlink
menu-delete = Delete my data
menu-notices = Where notices go
menu-main = Menu
language-name-vi = Tiếng Việt
language-name-en = English

## Asking back when unsure

clarify = Do you want to { $intent }?
clarify-yes = Yes
clarify-other = No, something else
intent-status = check the status of your dossier
intent-link = link a dossier
intent-unlink = unlink a dossier
intent-delete = delete your data
intent-help = see how to use this chat
intent-staff = contact staff
intent-hours = know the working hours
intent-address = know where dossiers are received and results returned
intent-notices = choose where notices go
intent-stop = stop general announcements
intent-resume = receive general announcements again
intent-language = change the language
intent-feedback = rate the service
intent-out_of_scope = ask something other than the status of your own dossier

## Small talk

thanks-reply = You are welcome. Have a nice day! Whenever you need, just ask "where is my dossier?".
ack-reply = All right. Write to me whenever you need anything else.

## Questions the bot cannot answer

out-of-scope = Sorry, I cannot answer that: I can only tell you the status of the dossiers you have submitted and linked. For fees, documents to prepare, how to file a new dossier, collecting on someone else's behalf or comments about staff, please ask:
out-of-scope-portal = • The National Public Service Portal (procedures, fees, documents, online filing): { $portal }
out-of-scope-status = If you want to know where your own dossier is, press "Check my dossier".

## Language

language-choose = Chọn ngôn ngữ / Choose your language:
language-set = Switched to English.

## Where notices go (a citizen with chats on Telegram and Zalo)

notices-choose = { $current ->
    [all] Notices about your dossiers currently go to both Telegram and Zalo.
   *[other] Notices about your dossiers currently go to { $current } only.
} Where do you want to receive them?
notices-telegram = Notices via Telegram
notices-zalo = Notices via Zalo
notices-all = Both
notices-set-one = Saved: notices about your dossiers now go to { $channel } only. If they cannot be delivered on { $channel } (for example because you blocked the bot or deleted the account), we send them on { $other } so that you do not miss them.
notices-set-all = Saved: notices about your dossiers go to both Telegram and Zalo.
notices-single = Notices about your dossiers already go to your { $channel } chat. If you also link your { $other } account with the same phone number, you can choose where notices go.
notices-none = You have not linked any dossier yet, so there are no notices. Send the dossier code printed on your receipt slip to link it; notices will come to this chat.
notices-web = This try-out page receives no notices. When you use the bot on Telegram or Zalo, notices about your linked dossiers (result ready, documents needed, late) come to that chat.

## Linking: code, consent, proof of ownership

link-ask-code = Please send the dossier code printed on your receipt slip, for example 000.00.15.H32-230112-0001.
link-bad-code = The dossier code you sent is not right. A dossier code looks like 000.00.15.H32-230112-0001: the unit code (four groups, the last with one letter), the date received (6 digits, year-month-day) and the sequence number (4 digits). Please check the code printed on your receipt slip.
link-bad-code-bad_unit_code = The unit code part (for example 000.00.15.H32) is not right.
link-bad-code-bad_date = The date part (6 digits, for example 230112 for 12/01/2023) is not right.
link-bad-code-bad_sequence = The sequence number (the last 4 digits, from 0001) is not right.
link-bad-code-incomplete = The date or the sequence number is missing.
consent-request =
    To link dossier { $code } we need your consent under Decree 13/2023/NĐ-CP on personal data protection:
    • We use this chat account and the phone number you share (if any) only to send you notices about your dossiers (result ready, late, documents needed) and to answer your questions.
    • You can unlink or delete your data at any time (type "delete my data").
    Do you agree?
consent-yes = I agree
consent-no = I do not agree
consent-thanks = Thank you for your consent.
consent-refused = You did not agree, so the dossier was not linked. We keep nothing but your chat account: no phone number, no dossier code. You can change your mind at any time by sending the dossier code again.
proof-request = To prove that you submitted dossier { $code }, press "Share my phone number" (the number given when the dossier was submitted), or type the last 4 digits of the applicant's ID card (căn cước/CCCD) number. Type "cancel" to stop.
proof-share-phone = Share my phone number
proof-wrong =
    The proof does not match dossier { $code }. { $left ->
        [one] You have 1 attempt left today.
       *[other] You have { $left } attempts left today.
    }
    Share the phone number given when the dossier was submitted, or type the last 4 digits of the applicant's ID card (căn cước/CCCD) number.
proof-not-own = Only your own phone number is accepted. Press "Share my phone number" to send this account's number, or type the last 4 digits of the applicant's ID card (căn cước/CCCD) number.
proof-digits-format = Please type only the last 4 digits of the ID card number (for example 1234), not the whole number.
proof-locked = After too many wrong attempts, dossier { $code } cannot be verified from this account for now. You can try again after { $until }. If it is urgent, contact the one-stop section where the dossier was submitted.
proof-wait = Verification of dossier { $code } by ID digits is slowed down after many wrong attempts. You can try again after { $until }, or press "Share my phone number" to verify now with the phone number given when the dossier was submitted.
contact-unexpected = To link a dossier, first send the dossier code printed on your receipt slip. The phone number you sent has not been stored.
link-success-phone = Dossier { $code } is now linked to your account (verified by phone number { $phone }). We will tell you when the result is ready.
link-success-slip = Dossier { $code } is now linked to your account (verified by your receipt slip). We will tell you when the result is ready.
slip-invalid = This link or QR code is not valid or has expired. Please send the dossier code printed on your receipt slip, for example 000.00.15.H32-230112-0001.
slip-code-wrong = Slip code { $code } is not right or has expired. { $left ->
    [one] You have 1 attempt left today,
   *[other] You have { $left } attempts left today,
} or you can send the dossier code printed on your receipt slip (for example 000.00.15.H32-230112-0001).
photo-unreadable = I could not read a code on the photo. Please take it again closer, straight and in good light, aimed at the QR code on your receipt slip — or type the dossier code printed on it.
link-success-id = Dossier { $code } is now linked to your account (verified by the last 4 digits of the ID card). We will tell you when the result is ready.

## Status card

status-none = You have not linked any dossier yet. Send the dossier code printed on your receipt slip (for example 000.00.15.H32-230112-0001) to link it.
status-choose = You have linked { $count } dossiers. Which one do you want to see?
dossier-not-available = This dossier is not among the dossiers you have linked.
card-title = Dossier { $code }
card-procedure = Procedure: { $procedure }
card-unit = Received by: { $unit }
card-received = Received: { $date }
card-appointment = Appointment (result due): { $date }
card-appointment-new = New appointment: { $date } (originally { $original })
card-status = Status: { $status }
card-step = Current step: { $step }
status-new = Registered online
status-received = Received
status-refused = Refused at reception
status-processing = Being processed
status-supplement_requested = Waiting for additional documents
status-fee_due = Fee or tax payment due
status-withdrawn = Withdrawn
status-suspended = Processing stopped
status-result_ready = Result ready
status-returned = Result returned
status-unknown = Being updated
time-left = { $days ->
    [one] 1 working day left until the appointment date.
   *[other] { $days } working days left until the appointment date.
}
time-due-today = The result is due today.
time-overdue = { $days ->
    [one] The dossier is 1 working day late.
   *[other] The dossier is { $days } working days late.
} We sincerely apologise for the delay.
time-paused = The processing clock is paused while we wait for your documents; the appointment date moves accordingly.
time-finished-on-time = The dossier was processed on time.
time-finished-late = { $days ->
    [one] The dossier was processed 1 working day late.
   *[other] The dossier was processed { $days } working days late.
} We sincerely apologise.
action-none = Nothing to do for now. We will tell you when the result is ready.
action-late = The agency will send you a new appointment date. For more, you can contact: { $contact }.
action-late-nocontact = The agency will send you a new appointment date. For more, contact the one-stop section where you submitted the dossier.
action-new = The online application is waiting to be received by staff. Nothing to do for now.
action-supplement = What you need to do: submit additional documents. Required: { $reason }
action-supplement-noreason = What you need to do: submit additional documents. Please contact staff to learn which documents are needed.
action-fee = What you need to do: pay the fee, charge or tax of { $amount } VND. You can pay online on the public service portal or at the counter.
action-fee-noamount = What you need to do: pay the fee, charge or tax. You can pay online on the public service portal or at the counter; contact staff for the amount.
action-result-counter = The result is ready. Please collect it at the one-stop counter of { $unit }. Bring your receipt slip and your ID card.
action-result-postal = The result is ready and is being sent by the public postal service to the address you gave.
action-result-postal-delivered = The result has been delivered by the public postal service to the address you gave.
action-result-online = The result is ready and returned online: download it on the public service portal under "My dossiers".
result-address = Address: { $address }
result-hours = Opening hours: { $hours }
returned-on = The result was returned on { $date }.
returned = The result has been returned.
refused-reason = The dossier was refused at reception. Reason: { $reason }
refused-noreason = The dossier was refused at reception. Please contact staff for the reason.
suspended-reason = Processing of the dossier was stopped. Reason: { $reason }
suspended-noreason = Processing of the dossier was stopped. Please contact staff for the reason.
withdrawn-reason = The dossier was withdrawn on request. Note: { $reason }
withdrawn-noreason = The dossier was withdrawn on request.
opening-hours-default = Monday to Friday, { $sessions } (except public holidays)

## Help

help-intro = Contact staff:
help-unit = { $unit }
help-hotline = Hotline: { $hotline }
help-fallback = Support hotline: { $hotline }
help-generic = Please contact the one-stop section where you submitted your dossier (the phone number is on your receipt slip).
help-usage = You can: send a dossier code to link it; ask "where is my dossier?"; ask for working hours or the address; type "unlink", "delete my data" or "tiếng Việt".
hours-intro = Working hours:
hours-unit = { $unit }: { $hours }
hours-generic = The one-stop section works { $hours }.
address-intro = Where dossiers are received and results returned:
address-unit = { $unit }: { $address }
address-generic = Dossiers are received and results returned at the one-stop section where you submitted your dossier (the address is on your receipt slip). Once you link your dossier, I can tell you the exact address.

## Rating the service

feedback-choose = Thank you for wanting to rate us. Choose the dossier to rate:
feedback-none = Thank you! You can rate the service after you receive your result: we send the rating form as soon as the result is returned.
feedback-contact = For other comments, please contact: { $contact }.

## Unlink

unlink-choose = Choose the dossier to unlink:
unlink-none = You have not linked any dossier.
unlink-done = Dossier { $code } is unlinked. You will no longer receive notices about it.
unlink-not-linked = { $code } is not among the dossiers you have linked.

## Delete my data

delete-confirm = Delete your data? We will delete: your links to { $count ->
    [one] 1 dossier
   *[other] { $count } dossiers
}, the conversation state, your verification history, your verified phone number (if any), unrecognised messages kept to improve the bot and your consent. The dossier records held by the agency are not affected. This cannot be undone.
delete-yes = Delete my data
delete-no = Keep my data
delete-cancelled = Cancelled. Nothing was deleted.
delete-done = Your data has been deleted:
delete-links = • Dossier links: { $codes }
delete-links-none = • No dossier links.
delete-conversation = • Conversation state.
delete-messages = { $count ->
    [one] • 1 unrecognised message kept to improve the bot.
   *[other] • { $count } unrecognised messages kept to improve the bot.
}
delete-attempts = { $count ->
    [one] • 1 verification attempt.
   *[other] • { $count } verification attempts.
}
delete-citizen = • Your citizen record.
delete-citizen-phone = • Your citizen record and verified phone number { $phone }.
delete-citizen-kept = • This account was detached from your citizen record, which is kept because another chat account of yours still uses it.
delete-consent = • Your consent under Decree 13/2023/NĐ-CP has been withdrawn.
delete-kept-attempts = Kept: { $count ->
    [one] 1 failed verification attempt
   *[other] { $count } failed verification attempts
} from today (only the dossier code and time) to prevent code guessing; the retry limit expires after { $until }.
