export interface TextFieldProps {
  /** element id (the browser tests fill `#id`) */
  id: string;
  className?: string;
  value: string;
  placeholder?: string;
  maxLength?: number;
  /** 'idcard', 'number' and 'digit' (a decimal point too: amounts) open the matching keyboard on a phone */
  kind?: 'text' | 'idcard' | 'number' | 'digit';
  onChange: (value: string) => void;
}
