/**
 * Currencies a bonus may be paid in: the active ISO 4217 alphabetic codes (2026), defined once
 * here so that policies, snapshots and logs check against the same list, with no dependency.
 * Amounts are integers in the currency's minor unit (cents, Rappen; yen have none), as payment
 * systems expect — never floating-point major units.
 */

/** Active ISO 4217 codes (funds and precious-metal codes such as XAU, XDR are left out). */
export const ISO_4217: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP ' +
    'BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP ' +
    'GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR ' +
    'KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK ' +
    'MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR ' +
    'SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS ' +
    'UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'
  ).split(' '),
);

/** A bonus: an amount in the currency's minor unit (integer ≥ 0) and an ISO 4217 code. */
export interface Bonus {
  /** Minor units (e.g. 500 = CHF 5.00), a whole number ≥ 0. */
  amount: number;
  /** ISO 4217 alphabetic code, upper case (e.g. `CHF`). */
  currency: string;
}

/**
 * Whether `code` is an active ISO 4217 code.
 * @example
 * isCurrency('CHF'); // true
 * isCurrency('chf'); // false: upper case only
 * isCurrency('XAU'); // false: funds and precious metals are left out
 */
export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && ISO_4217.has(code);
}

/** Largest bonus amount, minor units (sums stay exact integers far beyond any real bonus). */
export const MAX_BONUS_AMOUNT = 1e9;
