# Vietnamese catalog of the citizen chat (default language).
# Dates arrive pre-formatted (dd/MM/yyyy HH:mm, Asia/Ho_Chi_Minh); numbers are formatted here.

## Menu and general answers

welcome = Xin chào! Tôi là trợ lý tra cứu hồ sơ thủ tục hành chính của Bộ phận một cửa. Hãy gửi mã hồ sơ in trên phiếu hẹn trả kết quả để liên kết, sau đó bạn có thể hỏi "hồ sơ của tôi đến đâu rồi?".
menu-prompt = Bạn cần gì? Chọn một mục bên dưới hoặc gửi mã hồ sơ.
not-understood = Xin lỗi, tôi chưa hiểu ý bạn. Bạn có thể chọn một mục bên dưới, gửi mã hồ sơ, hoặc hỏi "hồ sơ của tôi đến đâu rồi?".
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

## Language

language-choose = Chọn ngôn ngữ / Choose your language:
language-set = Đã chuyển sang tiếng Việt.

## Where notices go (a citizen with chats on Telegram and Zalo)

notices-choose = { $current ->
    [all] Hiện thông báo về hồ sơ được gửi đến cả Telegram và Zalo.
   *[other] Hiện thông báo về hồ sơ chỉ được gửi qua { $current }.
} Bạn muốn nhận thông báo ở đâu?
notices-telegram = Nhận thông báo qua Telegram
notices-zalo = Nhận thông báo qua Zalo
notices-all = Cả hai
notices-set-one = Đã lưu: từ nay thông báo về hồ sơ của bạn chỉ được gửi qua { $channel }. Nếu không gửi được qua { $channel } (ví dụ bạn đã chặn hoặc xóa tài khoản), chúng tôi sẽ gửi qua { $other } để bạn không bỏ lỡ thông báo.
notices-set-all = Đã lưu: thông báo về hồ sơ của bạn sẽ được gửi đến cả Telegram và Zalo.
notices-single = Thông báo về hồ sơ của bạn đã được gửi vào cuộc trò chuyện { $channel } của bạn. Nếu bạn liên kết thêm tài khoản { $other } bằng cùng số điện thoại, bạn có thể chọn nơi nhận thông báo.
notices-none = Bạn chưa liên kết hồ sơ nào nên chưa có thông báo nào. Hãy gửi mã hồ sơ in trên phiếu hẹn trả kết quả để liên kết; thông báo sẽ được gửi vào cuộc trò chuyện này.

## Linking: code, consent, proof of ownership

link-ask-code = Vui lòng gửi mã hồ sơ in trên phiếu hẹn trả kết quả, ví dụ: 000.00.15.H32-230112-0001.
link-bad-code = Đây không phải là mã hồ sơ hợp lệ. Mã hồ sơ có dạng 000.00.15.H32-230112-0001 (mã đơn vị, ngày nhận, số thứ tự).
consent-request =
    Để liên kết hồ sơ { $code }, chúng tôi cần sự đồng ý của bạn theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân:
    • Chúng tôi dùng tài khoản chat này và số điện thoại bạn chia sẻ (nếu có) chỉ để gửi thông báo về các hồ sơ của bạn (có kết quả, trễ hẹn, cần bổ sung) và để trả lời khi bạn tra cứu.
    • Bạn có thể hủy liên kết hoặc xóa dữ liệu bất cứ lúc nào (gõ "xóa dữ liệu").
    Bạn có đồng ý không?
consent-yes = Đồng ý
consent-no = Không đồng ý
consent-thanks = Cảm ơn bạn đã đồng ý.
consent-refused = Bạn đã không đồng ý nên hồ sơ không được liên kết. Chúng tôi không lưu gì ngoài tài khoản chat của bạn: không lưu số điện thoại, không lưu mã hồ sơ. Bạn có thể đổi ý bất cứ lúc nào bằng cách gửi lại mã hồ sơ.
proof-request = Để xác minh bạn là người nộp hồ sơ { $code }, hãy bấm nút "Chia sẻ số điện thoại" (số đã khai khi nộp hồ sơ), hoặc gõ 4 chữ số cuối của số CCCD/CMND của người nộp. Gõ "hủy" để dừng.
proof-share-phone = Chia sẻ số điện thoại
proof-wrong =
    Thông tin xác minh không khớp với hồ sơ { $code }. Bạn còn { $left } lần thử trong hôm nay.
    Hãy chia sẻ đúng số điện thoại đã khai khi nộp hồ sơ, hoặc gõ 4 chữ số cuối của số CCCD/CMND của người nộp.
proof-not-own = Chỉ chấp nhận số điện thoại của chính bạn. Hãy bấm nút "Chia sẻ số điện thoại" để gửi số của tài khoản này, hoặc gõ 4 chữ số cuối của số CCCD/CMND của người nộp.
proof-digits-format = Vui lòng chỉ gõ đúng 4 chữ số cuối của số CCCD/CMND (ví dụ: 1234), không gõ cả số.
proof-locked = Hồ sơ { $code } tạm khóa xác minh vì nhập sai quá nhiều lần. Bạn có thể thử lại sau { $until }. Nếu cần gấp, hãy liên hệ Bộ phận một cửa nơi nộp hồ sơ.
contact-unexpected = Để liên kết hồ sơ, trước hết hãy gửi mã hồ sơ in trên phiếu hẹn. Số điện thoại bạn vừa gửi không được lưu.
link-success-phone = Đã liên kết hồ sơ { $code } với tài khoản của bạn (xác minh bằng số điện thoại { $phone }). Chúng tôi sẽ báo khi hồ sơ có kết quả.
link-success-id = Đã liên kết hồ sơ { $code } với tài khoản của bạn (xác minh bằng 4 số cuối CCCD/CMND). Chúng tôi sẽ báo khi hồ sơ có kết quả.

## Status card

status-none = Bạn chưa liên kết hồ sơ nào. Hãy gửi mã hồ sơ in trên phiếu hẹn trả kết quả (ví dụ: 000.00.15.H32-230112-0001) để liên kết.
status-choose = Bạn đã liên kết { $count } hồ sơ. Bạn muốn xem hồ sơ nào?
dossier-not-available = Không tìm thấy hồ sơ này trong các hồ sơ bạn đã liên kết.
card-title = Hồ sơ { $code }
card-procedure = Thủ tục: { $procedure }
card-unit = Nơi tiếp nhận: { $unit }
card-received = Ngày nhận: { $date }
card-appointment = Ngày hẹn trả: { $date }
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
time-overdue = Hồ sơ đã trễ hẹn { $days } ngày làm việc. Chúng tôi thành thật xin lỗi vì sự chậm trễ này.
time-paused = Thời gian giải quyết đang tạm dừng trong lúc chờ bạn bổ sung; ngày hẹn trả sẽ lùi tương ứng.
time-finished-on-time = Hồ sơ được giải quyết đúng hẹn.
time-finished-late = Hồ sơ được giải quyết trễ hẹn { $days } ngày làm việc. Chúng tôi thành thật xin lỗi.
action-none = Bạn chưa cần làm gì thêm. Chúng tôi sẽ báo khi hồ sơ có kết quả.
action-new = Hồ sơ đăng ký trực tuyến đang chờ cán bộ tiếp nhận. Bạn chưa cần làm gì thêm.
action-supplement = Việc bạn cần làm: bổ sung hồ sơ. Nội dung cần bổ sung: { $reason }
action-supplement-noreason = Việc bạn cần làm: bổ sung hồ sơ. Hãy liên hệ cán bộ để biết giấy tờ cần bổ sung.
action-fee = Việc bạn cần làm: nộp phí, lệ phí hoặc thuế, số tiền { $amount } đồng. Bạn có thể nộp trực tuyến trên Cổng dịch vụ công hoặc tại quầy.
action-fee-noamount = Việc bạn cần làm: thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế). Bạn có thể nộp trực tuyến trên Cổng dịch vụ công hoặc tại quầy; hãy liên hệ cán bộ để biết số tiền.
action-result-counter = Kết quả đã sẵn sàng. Mời bạn nhận tại quầy Bộ phận một cửa, { $unit }. Nhớ mang theo phiếu hẹn và giấy tờ tùy thân.
action-result-postal = Kết quả đã sẵn sàng và được gửi qua bưu chính công ích đến địa chỉ bạn đã đăng ký.
action-result-postal-delivered = Kết quả đã được bưu chính công ích giao đến địa chỉ bạn đã đăng ký.
action-result-online = Kết quả đã sẵn sàng và được trả trực tuyến: bạn có thể tải về trên Cổng dịch vụ công, mục "Hồ sơ của tôi".
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
opening-hours-default = Thứ Hai đến Thứ Sáu, { $sessions }

## Help

help-intro = Liên hệ cán bộ:
help-unit = { $unit }
help-hotline = Đường dây nóng: { $hotline }
help-fallback = Tổng đài hỗ trợ: { $hotline }
help-generic = Vui lòng liên hệ Bộ phận một cửa nơi bạn đã nộp hồ sơ.
help-usage = Bạn có thể: gửi mã hồ sơ để liên kết; hỏi "hồ sơ của tôi đến đâu rồi?"; gõ "hủy liên kết", "xóa dữ liệu" hoặc "English".

## Unlink

unlink-choose = Chọn hồ sơ bạn muốn hủy liên kết:
unlink-none = Bạn chưa liên kết hồ sơ nào.
unlink-done = Đã hủy liên kết hồ sơ { $code }. Bạn sẽ không nhận thông báo về hồ sơ này nữa.
unlink-not-linked = Mã { $code } không nằm trong các hồ sơ bạn đã liên kết.

## Delete my data

delete-confirm = Bạn muốn xóa dữ liệu của mình? Chúng tôi sẽ xóa: liên kết với { $count } hồ sơ, trạng thái trò chuyện, lịch sử xác minh, số điện thoại đã xác minh (nếu có) và sự đồng ý của bạn. Dữ liệu hồ sơ gốc tại cơ quan giải quyết không bị ảnh hưởng. Không thể hoàn tác.
delete-yes = Xóa dữ liệu
delete-no = Không xóa
delete-cancelled = Đã hủy. Không có dữ liệu nào bị xóa.
delete-done = Đã xóa dữ liệu của bạn:
delete-links = • Liên kết hồ sơ: { $codes }
delete-links-none = • Không có liên kết hồ sơ nào.
delete-conversation = • Trạng thái trò chuyện.
delete-attempts = • { $count } lượt xác minh.
delete-citizen = • Thông tin công dân của bạn.
delete-citizen-phone = • Thông tin công dân của bạn và số điện thoại đã xác minh { $phone }.
delete-citizen-kept = • Tài khoản này đã được tách khỏi thông tin công dân; thông tin đó vẫn được giữ vì một tài khoản chat khác của bạn còn dùng.
delete-consent = • Sự đồng ý theo Nghị định 13/2023/NĐ-CP đã được thu hồi.
delete-kept-attempts = Được giữ lại: { $count } lượt xác minh sai trong hôm nay (chỉ gồm mã hồ sơ và thời điểm) để chống dò mã hồ sơ; giới hạn thử lại hết hiệu lực sau { $until }.
