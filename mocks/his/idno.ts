/** GB 11643 resident ID numbers: 17 digits and a check character (ISO 7064 MOD 11-2). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function isValidIdNo(idNo: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(idNo)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(idNo[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11] === idNo[17].toUpperCase();
}
