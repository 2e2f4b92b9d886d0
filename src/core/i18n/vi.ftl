# Vietnamese catalog of the citizen chat (default language).
# Dates arrive pre-formatted (dd/MM/yyyy HH:mm, Asia/Ho_Chi_Minh); numbers are formatted here.
# { $you } / { $You } is the form of address (setting FORM_OF_ADDRESS): "Ông/Bà" by default, as
# public-service writing uses, or "bạn" / "Bạn" (capitalised at the start of a sentence).

## Menu and general answers

welcome = Xin chào { $You }! Tôi là trợ lý tra cứu hồ sơ thủ tục hành chính của Bộ phận một cửa. { $You } hãy gửi mã hồ sơ in trên phiếu hẹn trả kết quả để liên kết, sau đó có thể hỏi "hồ sơ của tôi đến đâu rồi?".
welcome-english = (English: just write in English, or send "English".)
greeting-linked = { $count ->
    [one] Xin chào { $You }! { $You } đã liên kết 1 hồ sơ với cuộc trò chuyện này. { $You } có thể hỏi "hồ sơ của tôi đến đâu rồi?" hoặc chọn một mục bên dưới.
   *[other] Xin chào { $You }! { $You } đã liên kết { $count } hồ sơ với cuộc trò chuyện này. { $You } có thể hỏi "hồ sơ của tôi đến đâu rồi?" hoặc chọn một mục bên dưới.
}
menu-prompt = { $You } cần gì? Chọn một mục bên dưới hoặc gửi mã hồ sơ.
not-understood = Xin lỗi, tôi chưa hiểu ý { $you }. Tôi có thể:
    • tra cứu tình trạng và ngày hẹn trả của hồ sơ { $you } đã liên kết;
    • liên kết hồ sơ mới (gửi mã hồ sơ in trên phiếu hẹn);
    • cho biết giờ làm việc, địa chỉ và số điện thoại của Bộ phận một cửa.
    { $You } có thể chọn một mục bên dưới.
not-understood-contact = Cần hỗ trợ khác, { $you } vui lòng gọi { $hotline }.
button-invalid = Nút này không hợp lệ hoặc đã hết hạn.
cancelled = Đã hủy thao tác.
menu-status = Tra cứu hồ sơ
menu-link = Liên kết hồ sơ
menu-help = Gặp cán bộ
menu-unlink = Hủy liên kết
menu-delete = Xóa dữ liệu của tôi
menu-notices = Nơi nhận thông báo
menu-main = Menu
language-name-vi = Tiếng Việt
language-name-en = English

## Asking back when unsure

clarify = { $You } muốn { $intent } phải không?
clarify-yes = Đúng vậy
clarify-other = Không, việc khác
intent-status = tra cứu tình trạng hồ sơ của mình
intent-link = liên kết một hồ sơ
intent-unlink = hủy liên kết một hồ sơ
intent-delete = xóa dữ liệu của mình
intent-help = xem hướng dẫn sử dụng
intent-staff = liên hệ cán bộ
intent-hours = biết giờ làm việc
intent-address = biết địa chỉ nơi nhận hồ sơ và trả kết quả
intent-notices = chọn nơi nhận thông báo
intent-stop = dừng nhận thông báo chung
intent-resume = nhận lại thông báo chung
intent-language = đổi ngôn ngữ
intent-feedback = đánh giá mức độ hài lòng
intent-out_of_scope = hỏi một việc khác, ngoài tình trạng hồ sơ của mình

## Small talk

thanks-reply = Dạ, không có gì ạ. Chúc { $you } một ngày tốt lành! Khi cần, { $you } cứ nhắn "hồ sơ của tôi đến đâu rồi?".
ack-reply = Dạ. { $You } cần gì thêm cứ nhắn cho tôi nhé.

## Questions the bot cannot answer

out-of-scope = Dạ, câu hỏi này nằm ngoài những gì tôi trả lời được: tôi chỉ tra cứu được tình trạng các hồ sơ { $you } đã nộp và đã liên kết. Về phí, lệ phí, giấy tờ cần chuẩn bị, cách nộp hồ sơ mới, người nhận thay hay ý kiến về cán bộ, { $you } vui lòng hỏi trực tiếp:
out-of-scope-portal = • Cổng Dịch vụ công quốc gia (thủ tục, phí, giấy tờ, nộp hồ sơ trực tuyến): { $portal }
out-of-scope-status = Nếu { $you } muốn biết hồ sơ của mình đến đâu, hãy bấm "Tra cứu hồ sơ".

## Language

language-choose = Chọn ngôn ngữ / Choose your language:
language-set = Đã chuyển sang tiếng Việt.

## Where notices go (a citizen with chats on Telegram and Zalo)

notices-choose = { $current ->
    [all] Hiện thông báo về hồ sơ được gửi đến cả Telegram và Zalo.
   *[other] Hiện thông báo về hồ sơ chỉ được gửi qua { $current }.
} { $You } muốn nhận thông báo ở đâu?
notices-telegram = Nhận thông báo qua Telegram
notices-zalo = Nhận thông báo qua Zalo
notices-all = Cả hai
notices-set-one = Đã lưu: từ nay thông báo về hồ sơ của { $you } chỉ được gửi qua { $channel }. Nếu không gửi được qua { $channel } (ví dụ { $you } đã chặn hoặc xóa tài khoản), chúng tôi sẽ gửi qua { $other } để { $you } không bỏ lỡ thông báo.
notices-set-all = Đã lưu: thông báo về hồ sơ của { $you } sẽ được gửi đến cả Telegram và Zalo.
notices-single = Thông báo về hồ sơ của { $you } đã được gửi vào cuộc trò chuyện { $channel } của { $you }. Nếu { $you } liên kết thêm tài khoản { $other } bằng cùng số điện thoại, { $you } có thể chọn nơi nhận thông báo.
notices-none = { $You } chưa liên kết hồ sơ nào nên chưa có thông báo nào. Hãy gửi mã hồ sơ in trên phiếu hẹn trả kết quả để liên kết; thông báo sẽ được gửi vào cuộc trò chuyện này.
notices-web = Trang dùng thử này không nhận thông báo. Khi { $you } dùng bot trên Telegram hoặc Zalo, thông báo về hồ sơ đã liên kết (có kết quả, cần bổ sung, trễ hẹn) sẽ được gửi vào cuộc trò chuyện đó.

## Linking: code, consent, proof of ownership

link-ask-code = Vui lòng gửi mã hồ sơ in trên phiếu hẹn trả kết quả, ví dụ: 000.00.15.H32-230112-0001.
link-bad-code = Mã hồ sơ { $you } gửi chưa đúng. Mã hồ sơ có dạng 000.00.15.H32-230112-0001: mã đơn vị (bốn nhóm, nhóm cuối có một chữ cái), ngày nhận (6 chữ số năm-tháng-ngày) và số thứ tự (4 chữ số). { $You } vui lòng kiểm tra lại mã in trên phiếu hẹn.
link-bad-code-bad_unit_code = Phần mã đơn vị (ví dụ 000.00.15.H32) chưa đúng.
link-bad-code-bad_date = Phần ngày nhận (6 chữ số, ví dụ 230112 là ngày 12/01/2023) chưa đúng.
link-bad-code-bad_sequence = Phần số thứ tự (4 chữ số cuối, từ 0001) chưa đúng.
link-bad-code-incomplete = Mã còn thiếu phần ngày nhận hoặc số thứ tự.
consent-request =
    Để liên kết hồ sơ { $code }, chúng tôi cần sự đồng ý của { $you } theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân:
    • Chúng tôi dùng tài khoản chat này và số điện thoại { $you } chia sẻ (nếu có) chỉ để gửi thông báo về các hồ sơ của { $you } (có kết quả, trễ hẹn, cần bổ sung) và để trả lời khi { $you } tra cứu.
    • { $You } có thể hủy liên kết hoặc xóa dữ liệu bất cứ lúc nào (gõ "xóa dữ liệu").
    { $You } có đồng ý không?
consent-yes = Đồng ý
consent-no = Không đồng ý
consent-thanks = Cảm ơn { $you } đã đồng ý.
consent-refused = { $You } đã không đồng ý nên hồ sơ không được liên kết. Chúng tôi không lưu gì ngoài tài khoản chat của { $you }: không lưu số điện thoại, không lưu mã hồ sơ. { $You } có thể đổi ý bất cứ lúc nào bằng cách gửi lại mã hồ sơ.
proof-request = Để xác minh { $you } là người nộp hồ sơ { $code }, hãy bấm nút "Chia sẻ số điện thoại" (số đã khai khi nộp hồ sơ), hoặc gõ 4 chữ số cuối của số thẻ căn cước/CCCD của người nộp. Gõ "hủy" để dừng.
proof-share-phone = Chia sẻ số điện thoại
proof-wrong =
    Thông tin xác minh không khớp với hồ sơ { $code }. { $You } còn { $left } lần thử trong hôm nay.
    Hãy chia sẻ đúng số điện thoại đã khai khi nộp hồ sơ, hoặc gõ 4 chữ số cuối của số thẻ căn cước/CCCD của người nộp.
proof-not-own = Chỉ chấp nhận số điện thoại của chính { $you }. Hãy bấm nút "Chia sẻ số điện thoại" để gửi số của tài khoản này, hoặc gõ 4 chữ số cuối của số thẻ căn cước/CCCD của người nộp.
proof-digits-format = Vui lòng chỉ gõ đúng 4 chữ số cuối của số thẻ căn cước/CCCD (ví dụ: 1234), không gõ cả số.
proof-locked = { $You } đã nhập sai quá nhiều lần nên tạm thời chưa thể xác minh hồ sơ { $code } từ tài khoản này. { $You } có thể thử lại sau { $until }. Nếu cần gấp, hãy liên hệ Bộ phận một cửa nơi nộp hồ sơ.
proof-wait = Hồ sơ { $code } đang tạm giới hạn xác minh bằng 4 chữ số vì có nhiều lần nhập sai. { $You } có thể thử lại sau { $until }, hoặc bấm "Chia sẻ số điện thoại" để xác minh ngay bằng số điện thoại đã khai khi nộp hồ sơ.
contact-unexpected = Để liên kết hồ sơ, trước hết hãy gửi mã hồ sơ in trên phiếu hẹn. Số điện thoại { $you } vừa gửi không được lưu.
link-success-phone = Đã liên kết hồ sơ { $code } với tài khoản của { $you } (xác minh bằng số điện thoại { $phone }). Chúng tôi sẽ báo khi hồ sơ có kết quả.
link-success-slip = Đã liên kết hồ sơ { $code } với tài khoản của { $you } (xác minh bằng phiếu hẹn trả kết quả). Chúng tôi sẽ báo khi hồ sơ có kết quả.
slip-invalid = Đường liên kết hoặc mã QR này không đúng hoặc đã hết hạn. { $You } vui lòng gửi mã hồ sơ in trên phiếu hẹn trả kết quả, ví dụ: 000.00.15.H32-230112-0001.
slip-code-wrong = Mã phiếu { $code } không đúng hoặc đã hết hạn. { $You } còn { $left } lần thử trong hôm nay, hoặc có thể gửi mã hồ sơ in trên phiếu hẹn (ví dụ: 000.00.15.H32-230112-0001).
photo-unreadable = Tôi chưa đọc được mã trên ảnh. { $You } vui lòng chụp lại gần hơn, thẳng và đủ sáng vào mã QR trên phiếu hẹn, hoặc gõ mã hồ sơ in trên phiếu.
link-success-id = Đã liên kết hồ sơ { $code } với tài khoản của { $you } (xác minh bằng 4 số cuối thẻ căn cước/CCCD). Chúng tôi sẽ báo khi hồ sơ có kết quả.

## Status card

status-none = { $You } chưa liên kết hồ sơ nào. Hãy gửi mã hồ sơ in trên phiếu hẹn trả kết quả (ví dụ: 000.00.15.H32-230112-0001) để liên kết.
status-choose = { $You } đã liên kết { $count } hồ sơ. { $You } muốn xem hồ sơ nào?
dossier-not-available = Không tìm thấy hồ sơ này trong các hồ sơ { $you } đã liên kết.
card-title = Hồ sơ { $code }
card-procedure = Thủ tục: { $procedure }
card-unit = Nơi tiếp nhận: { $unit }
card-received = Ngày nhận: { $date }
card-appointment = Ngày hẹn trả: { $date }
card-appointment-new = Ngày hẹn trả mới: { $date } (hẹn ban đầu: { $original })
card-status = Tình trạng: { $status }
card-step = Bước hiện tại: { $step }
status-new = Mới đăng ký trực tuyến
status-received = Đã tiếp nhận
status-refused = Từ chối tiếp nhận
status-processing = Đang giải quyết
status-supplement_requested = Chờ bổ sung hồ sơ
status-fee_due = Chờ thực hiện nghĩa vụ tài chính
status-withdrawn = Đã rút hồ sơ
status-suspended = Dừng xử lý
status-result_ready = Đã có kết quả
status-returned = Đã trả kết quả
status-unknown = Đang cập nhật
time-left = Còn { $days } ngày làm việc đến ngày hẹn trả.
time-due-today = Hôm nay là ngày hẹn trả kết quả.
time-overdue = Hồ sơ đã trễ hẹn { $days } ngày làm việc. Chúng tôi thành thật xin lỗi { $you } vì sự chậm trễ này.
time-paused = Thời gian giải quyết đang tạm dừng trong lúc chờ { $you } bổ sung; ngày hẹn trả sẽ lùi tương ứng.
time-finished-on-time = Hồ sơ được giải quyết đúng hẹn.
time-finished-late = Hồ sơ được giải quyết trễ hẹn { $days } ngày làm việc. Chúng tôi thành thật xin lỗi.
action-none = { $You } chưa cần làm gì thêm. Chúng tôi sẽ báo khi hồ sơ có kết quả.
action-late = Cơ quan giải quyết sẽ gửi { $you } ngày hẹn trả mới. Để biết thêm, { $you } có thể liên hệ: { $contact }.
action-late-nocontact = Cơ quan giải quyết sẽ gửi { $you } ngày hẹn trả mới. Để biết thêm, { $you } có thể liên hệ Bộ phận một cửa nơi đã nộp hồ sơ.
action-new = Hồ sơ đăng ký trực tuyến đang chờ cán bộ tiếp nhận. { $You } chưa cần làm gì thêm.
action-supplement = Việc { $you } cần làm: bổ sung hồ sơ. Nội dung cần bổ sung: { $reason }
action-supplement-noreason = Việc { $you } cần làm: bổ sung hồ sơ. Hãy liên hệ cán bộ để biết giấy tờ cần bổ sung.
action-fee = Việc { $you } cần làm: nộp phí, lệ phí hoặc thuế, số tiền { $amount } đồng. { $You } có thể nộp trực tuyến trên Cổng dịch vụ công hoặc tại quầy.
action-fee-noamount = Việc { $you } cần làm: thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế). { $You } có thể nộp trực tuyến trên Cổng dịch vụ công hoặc tại quầy; hãy liên hệ cán bộ để biết số tiền.
action-result-counter = Kết quả đã sẵn sàng. Mời { $you } nhận tại quầy Bộ phận một cửa, { $unit }. Nhớ mang theo phiếu hẹn và giấy tờ tùy thân.
action-result-postal = Kết quả đã sẵn sàng và được gửi qua bưu chính công ích đến địa chỉ { $you } đã đăng ký.
action-result-postal-delivered = Kết quả đã được bưu chính công ích giao đến địa chỉ { $you } đã đăng ký.
action-result-online = Kết quả đã sẵn sàng và được trả trực tuyến: { $you } có thể tải về trên Cổng dịch vụ công, mục "Hồ sơ của tôi".
result-address = Địa chỉ: { $address }
result-hours = Giờ làm việc: { $hours }
returned-on = Kết quả đã được trả ngày { $date }.
returned = Kết quả đã được trả.
refused-reason = Hồ sơ bị từ chối tiếp nhận. Lý do: { $reason }
refused-noreason = Hồ sơ bị từ chối tiếp nhận. Hãy liên hệ cán bộ để biết lý do.
suspended-reason = Hồ sơ đã bị dừng xử lý. Lý do: { $reason }
suspended-noreason = Hồ sơ đã bị dừng xử lý. Hãy liên hệ cán bộ để biết lý do.
withdrawn-reason = Hồ sơ đã được rút theo đề nghị. Ghi chú: { $reason }
withdrawn-noreason = Hồ sơ đã được rút theo đề nghị.
opening-hours-default = Thứ Hai đến Thứ Sáu, { $sessions } (trừ ngày nghỉ lễ)

## Help, staff, hours, address

help-intro = Liên hệ cán bộ:
help-unit = { $unit }
help-hotline = Đường dây nóng: { $hotline }
help-fallback = Tổng đài hỗ trợ: { $hotline }
help-generic = Vui lòng liên hệ Bộ phận một cửa nơi { $you } đã nộp hồ sơ (số điện thoại in trên phiếu hẹn).
help-usage = { $You } có thể: gửi mã hồ sơ để liên kết; hỏi "hồ sơ của tôi đến đâu rồi?"; hỏi giờ làm việc, địa chỉ; gõ "hủy liên kết", "xóa dữ liệu" hoặc "English".
hours-intro = Giờ làm việc:
hours-unit = { $unit }: { $hours }
hours-generic = Bộ phận một cửa làm việc { $hours }.
address-intro = Nơi nhận hồ sơ và trả kết quả:
address-unit = { $unit }: { $address }
address-generic = Hồ sơ được nhận và trả kết quả tại Bộ phận một cửa nơi { $you } đã nộp (địa chỉ in trên phiếu hẹn). Khi { $you } liên kết hồ sơ, tôi sẽ cho biết địa chỉ cụ thể.

## Rating the service

feedback-choose = Cảm ơn { $you } muốn đánh giá. Chọn hồ sơ { $you } muốn đánh giá:
feedback-none = Cảm ơn { $you }! { $You } có thể đánh giá mức độ hài lòng sau khi nhận kết quả hồ sơ: chúng tôi sẽ gửi phiếu đánh giá ngay khi trả kết quả.
feedback-contact = Góp ý khác, { $you } có thể gửi tới: { $contact }.

## Unlink

unlink-choose = Chọn hồ sơ { $you } muốn hủy liên kết:
unlink-none = { $You } chưa liên kết hồ sơ nào.
unlink-done = Đã hủy liên kết hồ sơ { $code }. { $You } sẽ không nhận thông báo về hồ sơ này nữa.
unlink-not-linked = Mã { $code } không nằm trong các hồ sơ { $you } đã liên kết.

## Delete my data

delete-confirm = { $You } muốn xóa dữ liệu của mình? Chúng tôi sẽ xóa: liên kết với { $count } hồ sơ, trạng thái trò chuyện, lịch sử xác minh, số điện thoại đã xác minh (nếu có), tin nhắn chưa hiểu đã lưu và sự đồng ý của { $you }. Dữ liệu hồ sơ gốc tại cơ quan giải quyết không bị ảnh hưởng. Không thể hoàn tác.
delete-yes = Xóa dữ liệu
delete-no = Không xóa
delete-cancelled = Đã hủy. Không có dữ liệu nào bị xóa.
delete-done = Đã xóa dữ liệu của { $you }:
delete-links = • Liên kết hồ sơ: { $codes }
delete-links-none = • Không có liên kết hồ sơ nào.
delete-conversation = • Trạng thái trò chuyện.
delete-attempts = • { $count } lượt xác minh.
delete-messages = • { $count } tin nhắn chưa hiểu đã lưu để cải thiện bot.
delete-citizen = • Thông tin công dân của { $you }.
delete-citizen-phone = • Thông tin công dân của { $you } và số điện thoại đã xác minh { $phone }.
delete-citizen-kept = • Tài khoản này đã được tách khỏi thông tin công dân; thông tin đó vẫn được giữ vì một tài khoản chat khác của { $you } còn dùng.
delete-consent = • Sự đồng ý theo Nghị định 13/2023/NĐ-CP đã được thu hồi.
delete-kept-attempts = Được giữ lại: { $count } lượt xác minh sai trong hôm nay (chỉ gồm mã hồ sơ và thời điểm) để chống dò mã hồ sơ; giới hạn thử lại hết hiệu lực sau { $until }.
