"""tthc-tracker: hạn giải quyết hồ sơ thủ tục hành chính, cảnh báo và văn bản xin lỗi.

Tracks Vietnamese administrative-procedure dossiers against their legal time limits.
"""

__version__ = "0.1.0"
