# Automatic notices about a citizen's own dossier, announcements and the announcement opt-out.
# Arguments are plain values; numbers are formatted for the locale (1.500.000).
# { $you } / { $You }: the form of address (FORM_OF_ADDRESS), filled in by nt().

notice-supplement = 📄 Hồ sơ { $code } ({ $procedure }) cần bổ sung giấy tờ.
notice-supplement-reason = Nội dung cần bổ sung: { $reason }
notice-supplement-noreason = Vui lòng liên hệ { $unit } để biết giấy tờ cần bổ sung.
notice-supplement-deadline = Hạn nộp bổ sung: { $deadline }.
notice-supplement-clock = Thời gian giải quyết tạm dừng trong lúc { $you } bổ sung và được tính tiếp khi { $you } nộp đủ.

notice-fee = 💳 Hồ sơ { $code } ({ $procedure }) cần thực hiện nghĩa vụ tài chính: { $amount } đồng.
notice-fee-noamount = 💳 Hồ sơ { $code } ({ $procedure }) cần thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế). Vui lòng liên hệ { $unit } để biết số tiền.
notice-fee-how = { $You } có thể nộp trực tuyến trên Cổng dịch vụ công hoặc tại quầy Bộ phận một cửa.

notice-ready = ✅ Hồ sơ { $code } ({ $procedure }) đã có kết quả.
notice-ready-counter = Mời { $you } nhận kết quả tại quầy Bộ phận một cửa, { $unit }. Nhớ mang theo phiếu hẹn và giấy tờ tùy thân.
notice-ready-address = Địa chỉ: { $address }
notice-ready-hours = Giờ làm việc: { $hours }
notice-ready-postal = Kết quả được gửi qua bưu chính công ích đến địa chỉ { $you } đã đăng ký; { $you } không cần đến nhận.
notice-ready-postal-delivered = Kết quả đã được bưu chính công ích giao đến địa chỉ { $you } đã đăng ký.
notice-ready-online = Kết quả được trả trực tuyến: { $you } có thể tải về trên Cổng dịch vụ công, mục "Hồ sơ của tôi".
notice-hours-default = Thứ Hai đến Thứ Sáu, { $sessions }

notice-late = 🙏 { $unit } thành thật xin lỗi: hồ sơ { $code } ({ $procedure }) không thể trả kết quả đúng hẹn.
notice-late-reason = Lý do: { $reason }
notice-late-noreason = Lý do: hồ sơ cần thêm thời gian thẩm định.
notice-late-date = Ngày hẹn trả kết quả mới: { $date }.
notice-late-close = Mong { $you } thông cảm. Chúng tôi sẽ báo ngay khi có kết quả.

notice-returned = 🌟 Cảm ơn { $you } đã sử dụng dịch vụ của { $unit }. Hồ sơ { $code } đã được trả kết quả.
notice-returned-survey = Chúng tôi rất mong nghe ý kiến của { $you }: vài câu hỏi ngắn về mức độ hài lòng sẽ đến ngay sau đây.

notice-button-view = Xem hồ sơ

# ZNS template values (the template text itself is approved by Zalo).
zns-status-supplement = Cần bổ sung hồ sơ
zns-status-fee = Cần nộp phí, lệ phí
zns-status-ready = Đã có kết quả
zns-status-late = Hẹn lại ngày trả kết quả
zns-status-returned = Đã trả kết quả

broadcast-stop-button = Dừng nhận thông báo chung

optout-done = { $You } đã dừng nhận thông báo chung (tin nghỉ lễ, thay đổi giờ làm việc…). { $You } vẫn nhận tin về các hồ sơ của mình: có kết quả, cần bổ sung, cần nộp phí.
optout-resume-button = Nhận lại thông báo chung
optin-done = { $You } sẽ nhận lại các thông báo chung. Gõ "dừng" bất cứ lúc nào để dừng.
optin-stop-button = Dừng nhận thông báo chung
