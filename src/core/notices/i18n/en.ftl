# Automatic notices about a citizen's own dossier, announcements and the announcement opt-out.

notice-supplement = 📄 Dossier { $code } ({ $procedure }) needs more documents.
notice-supplement-reason = What to add: { $reason }
notice-supplement-noreason = Please contact { $unit } to learn which documents to add.
notice-supplement-deadline = Please resubmit by { $deadline }.
notice-supplement-clock = The processing time is paused while you gather them and resumes when you resubmit.

notice-fee = 💳 Dossier { $code } ({ $procedure }) has a fee to pay: { $amount } VND.
notice-fee-noamount = 💳 Dossier { $code } ({ $procedure }) has fees or taxes to pay. Please contact { $unit } for the amount.
notice-fee-how = You can pay online on the Public Service Portal or at the one-stop counter.

notice-ready = ✅ The result of dossier { $code } ({ $procedure }) is ready.
notice-ready-counter = Please collect it at the one-stop counter of { $unit }. Bring your appointment slip and an ID document.
notice-ready-address = Address: { $address }
notice-ready-hours = Opening hours: { $hours }
notice-ready-postal = It is being sent by public postal service to the address you registered; no need to come in.
notice-ready-postal-delivered = It has been delivered by public postal service to the address you registered.
notice-ready-online = It is returned online: download it from the Public Service Portal, under "My dossiers".
notice-hours-default = Monday to Friday, { $sessions }

notice-late = 🙏 { $unit } sincerely apologises: dossier { $code } ({ $procedure }) cannot be finished by its appointment date.
notice-late-reason = Reason: { $reason }
notice-late-noreason = Reason: the dossier needs more time for review.
notice-late-date = New appointment date: { $date }.
notice-late-close = Thank you for your patience. We will tell you as soon as the result is ready.

notice-returned = 🌟 Thank you for using the services of { $unit }. The result of dossier { $code } has been handed over.
notice-returned-survey = We would love to hear from you: a few short questions about your satisfaction follow.

notice-button-view = View dossier

zns-status-supplement = More documents needed
zns-status-fee = Fee to pay
zns-status-ready = Result ready
zns-status-late = New appointment date
zns-status-returned = Result handed over

broadcast-stop-button = Stop announcements

optout-done = You will no longer get general announcements (holiday closures, opening-hour changes…). You will still get messages about your own dossiers: result ready, documents needed, fees due.
optout-resume-button = Get announcements again
optin-done = You will get general announcements again. Type "stop" at any time to stop them.
optin-stop-button = Stop announcements
