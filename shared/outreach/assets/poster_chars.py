"""Every character a city's poster may contain: ASCII, Latin-1 punctuation, JIS X 0208
(level-1 and level-2 kanji, kana, symbols, full-width forms) and the CJK punctuation blocks."""
import sys
chars = set()
for cp in range(0x20, 0x7F):
    chars.add(chr(cp))
for cp in range(0xA0, 0xC0):
    chars.add(chr(cp))
chars.update(chr(cp) for cp in (0xD7, 0xF7))
for lead in range(0xA1, 0xFF):
    for trail in range(0xA1, 0xFF):
        try:
            chars.add(bytes([lead, trail]).decode("euc_jp"))
        except UnicodeDecodeError:
            pass
for lead in list(range(0x81, 0xA0)) + list(range(0xE0, 0xF0)):
    for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFD)):
        try:
            chars.add(bytes([lead, trail]).decode("shift_jis"))
        except UnicodeDecodeError:
            pass
for lo, hi in ((0x3000, 0x303F), (0x3040, 0x309F), (0x30A0, 0x30FF), (0xFF00, 0xFFEF), (0x2010, 0x2027)):
    chars.update(chr(cp) for cp in range(lo, hi + 1))
chars = sorted(c for c in chars if len(c) == 1 and c.isprintable() or c == " ")
sys.stdout.write("".join(chars))
